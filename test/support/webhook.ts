import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** A request the test webhook received. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

/**
 * A local webhook for tests: records every POST, and answers with `respond` (200 by default) so
 * a test can make it fail first and recover later.
 */
export interface TestWebhook {
  url: string;
  received: Received[];
  /** Status of the next answers; a function sees how many requests came before. */
  respond: (index: number) => number;
  /** Requests answered 2xx. */
  accepted(): Received[];
  close(): Promise<void>;
}

export async function startTestWebhook(port = 0): Promise<TestWebhook> {
  const received: Received[] = [];
  const statuses: number[] = [];
  const hook: TestWebhook = {
    url: '',
    received,
    respond: () => 200,
    accepted: () => received.filter((_, i) => (statuses[i] ?? 0) < 300),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      let json: unknown = undefined;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const status = hook.respond(received.length);
      received.push({ headers: req.headers, body, json });
      statuses.push(status);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const address = server.address();
  hook.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/hook`;
  return hook;
}
