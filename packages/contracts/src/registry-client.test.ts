import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient } from '@healstream/contracts';

let close: (() => void) | undefined;
afterEach(() => close?.());

/** A registry stand-in that answers the given statuses in turn. */
async function registry(
  answers: { status: number; body: unknown }[],
): Promise<{ url: string; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    req.resume();
    const answer = answers.shift() ?? { status: 500, body: {} };
    req.on('end', () =>
      res
        .writeHead(answer.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(answer.body)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => server.close();
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, calls };
}

describe('RegistryClient', () => {
  it('retries the 409 of two services setting a subject’s compatibility at once', async () => {
    const r = await registry([
      {
        status: 409,
        body: { message: "A rule named 'COMPATIBILITY' already exists.", error_code: 0 },
      },
      { status: 200, body: { compatibility: 'FULL' } },
    ]);
    await new RegistryClient(r.url).setCompatibility('t-value', 'FULL');
    expect(r.calls).toEqual(['PUT /config/t-value', 'PUT /config/t-value']);
  });

  it('does not retry a real rejection', async () => {
    const r = await registry([
      {
        status: 409,
        body: {
          message: 'Schema being registered is incompatible with an earlier schema',
          error_code: 409,
        },
      },
    ]);
    await expect(new RegistryClient(r.url).register('t-value', { type: 'string' })).rejects.toThrow(
      /incompatible/,
    );
    expect(r.calls).toHaveLength(1);
  });
});
