import type { IncomingMessage, ServerResponse } from 'node:http';
import { inSpanFrom } from '@healstream/runtime';
import type { IngestHandlers } from './ingest.js';

/** The routes: Prometheus remote_write and Alertmanager's webhook. */
export const ROUTES = {
  '/api/v1/write': 'remoteWrite',
  '/api/v1/alerts': 'alerts',
} as const satisfies Record<string, keyof IngestHandlers>;

/**
 * A request handler for the health server: POST bodies up to `maxBytes` go to the ingest
 * handlers; anything else on these paths is refused with the reason.
 */
export function ingestRoutes(handlers: IngestHandlers, maxBytes: number) {
  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    const route = ROUTES[path as keyof typeof ROUTES];
    if (!route) return false;
    const reply = (status: number, body: string) =>
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    if (req.method !== 'POST') {
      reply(405, `${path} takes POST\n`);
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        reply(413, `body of ${size} bytes is larger than INGEST_MAX_BODY_BYTES (${maxBytes})\n`);
        return;
      }
      const body = Buffer.concat(chunks);
      inSpanFrom(req.headers, `ingest ${path}`, { 'http.route': path }, () =>
        handlers[route](body),
      ).then(
        (a) => reply(a.status, a.body),
        (error: Error) => reply(500, `${error.message}\n`),
      );
    });
    return true;
  };
}
