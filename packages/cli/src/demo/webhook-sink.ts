import { createServer } from 'node:http';

export interface WebhookPage {
  at: number;
  body: Record<string, unknown>;
}

export interface WebhookSink {
  url: string;
  pages: WebhookPage[];
  close(): Promise<void>;
}

/** A local endpoint for the escalator's webhook sink: it keeps every page it receives. */
export async function startWebhookSink(): Promise<WebhookSink> {
  const pages: WebhookPage[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        pages.push({
          at: Date.now(),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        });
      } catch {
        pages.push({ at: Date.now(), body: { raw: Buffer.concat(chunks).toString('utf8') } });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/pages`,
    pages,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
