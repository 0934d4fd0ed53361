import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

/**
 * A real Prometheus page that changes between scrapes as a busy service's does: each scrape
 * sees 90 more 2xx and 10 more 5xx requests, and 100 more observations spread 10/20/40/20/10
 * over the buckets 0.1, 0.25, 0.5, 1, +Inf (so the increase between any two scrapes gives
 * p50 = 0.375 s, p90 = 1 s, and p99 in +Inf: 1 s, the highest finite bound). Closed when the
 * test finishes.
 */
export async function busyExporter(
  extraLabels: Record<string, string> = {},
): Promise<{ url: string; port: number; scrapes: () => number }> {
  let n = 0;
  const extra = Object.entries(extraLabels)
    .map(([k, v]) => `,${k}="${v}"`)
    .join('');
  const server = createServer((_req, res) => {
    n++;
    const cumulative = [10, 30, 70, 90, 100].map((c) => c * n);
    const bounds = ['0.1', '0.25', '0.5', '1', '+Inf'];
    res
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      .end(
        [
          '# HELP http_requests_total Requests served.',
          '# TYPE http_requests_total counter',
          `http_requests_total{code="200"${extra}} ${90 * n}`,
          `http_requests_total{code="503"${extra}} ${10 * n}`,
          '# HELP http_request_duration_seconds Request latency.',
          '# TYPE http_request_duration_seconds histogram',
          ...bounds.map(
            (le, i) => `http_request_duration_seconds_bucket{le="${le}"${extra}} ${cumulative[i]}`,
          ),
          `http_request_duration_seconds_sum{${extra.slice(1)}} ${40 * n}`,
          `http_request_duration_seconds_count{${extra.slice(1)}} ${100 * n}`,
          '# HELP process_open_fds Open file descriptors.',
          '# TYPE process_open_fds gauge',
          'process_open_fds 17',
          '',
        ].join('\n'),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/metrics`, port, scrapes: () => n };
}
