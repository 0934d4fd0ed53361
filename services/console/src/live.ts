import type { ServerResponse } from 'node:http';

/** Server-sent events to every open page: which incidents changed, whether dead letters did. */
export class LiveHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly keepalive: NodeJS.Timeout;

  constructor() {
    // Proxies and browsers drop a silent stream; a comment line every 15 s keeps it open.
    this.keepalive = setInterval(
      () => this.clients.forEach((c) => c.write(': keepalive\n\n')),
      15_000,
    );
    this.keepalive.unref();
  }

  open(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('event: hello\ndata: {}\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  send(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.write(frame);
  }

  get size(): number {
    return this.clients.size;
  }

  close(): void {
    clearInterval(this.keepalive);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
