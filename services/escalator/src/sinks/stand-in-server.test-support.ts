import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface StandInRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface StandInAnswer {
  status: number;
  body: unknown;
  contentType?: string;
}

/**
 * A local HTTP server standing in for a paging service in contract tests: `answer` checks each
 * request as the real API would and answers with its status and body. Records every request.
 */
export async function startStandIn(answer: (req: StandInRequest) => StandInAnswer) {
  const received: StandInRequest[] = [];
  const server = createServer((req, res) => {
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
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        json,
      };
      received.push(request);
      const reply = answer(request);
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res
        .writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' })
        .end(text);
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
