import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificates } from './secured-kafka.js';

export interface SecuredRegistry {
  /** https URL of the ccompat API behind TLS and basic auth. */
  url: string;
  username: string;
  password: string;
  /** Requests that came with the right credentials, and those refused. */
  counts: { accepted: number; refused: number };
  stop(): Promise<void>;
}

/**
 * The test registry behind what a secured one asks for: TLS with the test CA's certificate and
 * HTTP basic auth. Authenticated requests are passed on to the real registry as they are.
 */
export async function startSecuredRegistry(
  certs: TestCertificates,
  upstream: string,
): Promise<SecuredRegistry> {
  const username = 'registry-user';
  const password = randomBytes(12).toString('hex');
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const counts = { accepted: 0, refused: 0 };
  const base = new URL(upstream);
  const server = createServer(
    { cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) },
    (request, response) => {
      if (request.headers.authorization !== expected) {
        counts.refused++;
        response.writeHead(401, { 'www-authenticate': 'Basic realm="registry"' }).end();
        return;
      }
      counts.accepted++;
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const target = `${base.origin}${request.url ?? '/'}`;
        fetch(target, {
          method: request.method ?? 'GET',
          headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
          ...(body.length > 0 ? { body } : {}),
        })
          .then(async (answer) => {
            const text = await answer.text();
            response
              .writeHead(answer.status, {
                'content-type': answer.headers.get('content-type') ?? 'application/json',
              })
              .end(text);
          })
          .catch((error: unknown) => response.writeHead(502).end(String(error)));
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}${base.pathname.replace(/\/+$/, '')}`,
    username,
    password,
    counts,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
