import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServer {
  port: number;
  /** The address it listens on (loopback unless a host was given). */
  address: string;
  close(): Promise<void>;
}

/**
 * /healthz: the process is alive. /readyz: joined its group and restored its state (the
 * `ready` callback says). /metrics: Prometheus text format.
 */
export async function startHealthServer(options: {
  port: number;
  registry: Registry;
  ready: () => boolean | { ready: boolean; detail?: unknown };
  host?: string;
  /** Other routes of the service (an ingest endpoint): true when it answered the request. */
  handle?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (options.handle?.(req, res, path)) return;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const answer = options.ready();
      const { ready, detail } =
        typeof answer === 'boolean' ? { ready: answer, detail: undefined } : answer;
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: ready ? 'ready' : 'not ready',
          ...(detail === undefined ? {} : { detail }),
        }),
      );
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (error: Error) => res.writeHead(500).end(error.message),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const bound = server.address() as AddressInfo;
  return {
    port: bound.port,
    address: bound.address,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
