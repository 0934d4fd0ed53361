import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient } from '@healstream/contracts';

let close: (() => void) | undefined;
afterEach(() => close?.());

/** A registry stand-in that answers the given statuses in turn. */
async function registry(
  answers: { status: number; body: unknown }[],
): Promise<{ url: string; calls: string[]; auth: (string | undefined)[] }> {
  const calls: string[] = [];
  const auth: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    auth.push(req.headers.authorization);
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
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    calls,
    auth,
  };
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

  it('sends basic auth when configured and names the variables when refused', async () => {
    const r = await registry([
      { status: 200, body: { id: 7 } },
      { status: 401, body: { message: 'Unauthorized' } },
    ]);
    const client = new RegistryClient(r.url, { username: 'u', password: 'p@ss' });
    expect(await client.register('t-value', { type: 'string' })).toBe(7);
    expect(r.auth[0]).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
    await expect(client.register('t-value', { type: 'string' })).rejects.toThrow(
      /refused POST \/subjects\/t-value\/versions \(HTTP 401\): check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD/,
    );
    expect(new RegistryClient(r.url).baseUrl).toBe(r.url);
  });

  it('deletes a subject, a missing one being no error', async () => {
    const r = await registry([
      { status: 404, body: { error_code: 40401 } },
      { status: 200, body: [1] },
    ]);
    const client = new RegistryClient(r.url);
    await client.deleteSubject('gone-value');
    await client.deleteSubject('t-value', true);
    expect(r.calls).toEqual([
      'DELETE /subjects/gone-value',
      'DELETE /subjects/t-value?permanent=true',
    ]);
    expect(r.auth).toEqual([undefined, undefined]);
  });
});
