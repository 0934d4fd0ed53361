import { describe, expect, it, onTestFinished } from 'vitest';
import type { MetricSample } from '@healstream/contracts';
import { busyExporter } from '../support/exporter.js';
import { privatePipeline } from '../support/pipeline.js';
import { privatePrometheus } from '../support/prometheus.js';
import { watchTopic } from '../support/records.js';
import { readiness, spawnServiceProcess, waitUntil } from '../support/subprocess.js';

describe('ingest: Prometheus remote_write', () => {
  it("takes what Debian's Prometheus scrapes and remote_writes, and publishes it as samples", async () => {
    const { config, topic } = await privatePipeline();
    const ingest = spawnServiceProcess('ingest', config, { LOG_LEVEL: 'warn' });
    await waitUntil('ingest ready', async () => (await readiness(ingest.port)).ready, 60_000);
    const page = await busyExporter();
    const samples = await watchTopic<MetricSample>(topic('metrics'), 'MetricSample');
    onTestFinished(() => samples.stop());
    const prometheus = await privatePrometheus(
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: checkout',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${page.port}']`,
        'remote_write:',
        `  - url: http://127.0.0.1:${ingest.port}/api/v1/write`,
        '    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s }',
        '    metadata_config: { send: true, send_interval: 1s }',
        '',
      ].join('\n'),
    );

    const of = (items: MetricSample[], metric: string) =>
      items.filter((s) => s.component === 'checkout' && s.metric === metric);
    await samples.waitFor(
      'quantiles and rates derived from what Prometheus wrote',
      (items) =>
        ['http_request_duration_seconds_p50', 'throughput', 'up'].every(
          (m) => of(items, m).length >= 2,
        ),
      90_000,
    );
    // The component is the job; what Prometheus adds (instance) stays a label.
    const p50 = of(samples.items, 'http_request_duration_seconds_p50');
    for (const s of p50) {
      expect(s.value).toBeCloseTo(0.375, 9);
      expect(s.labels).toEqual({ instance: `127.0.0.1:${page.port}` });
    }
    for (const s of of(samples.items, 'http_request_duration_seconds_p90'))
      expect(s.value).toBeCloseTo(1, 9);
    // 100 requests per scrape, one scrape a second (as Prometheus timestamps them); the rate
    // of http_requests_total arrives as the canonical throughput (docs/metrics.md).
    for (const s of of(samples.items, 'throughput')) {
      expect(s.value).toBeGreaterThan(50);
      expect(s.value).toBeLessThan(200);
    }
    expect(of(samples.items, 'up').every((s) => s.value === 1)).toBe(true);
    expect(of(samples.items, 'process_open_fds')[0]?.value).toBe(17);
    // Counters and buckets never travel as they are; timestamps are Prometheus' scrape times.
    expect(samples.items.filter((s) => /_(bucket|total|sum|count)$/.test(s.metric))).toEqual([]);
    expect(new Set(p50.map((s) => s.timestamp)).size).toBe(p50.length);

    const metrics = await (await fetch(`http://127.0.0.1:${ingest.port}/metrics`)).text();
    expect(metrics).toMatch(
      /healstream_ingest_requests_total\{endpoint="remote_write",code="2xx",service="ingest"\} [1-9]/,
    );
    expect(metrics).not.toMatch(
      /healstream_ingest_requests_total\{endpoint="remote_write",code="(400|503)"/,
    );
    expect(prometheus.log()).not.toMatch(/non-recoverable error|status 400/);

    // A body that is not remote_write is refused with its reason, not half taken.
    const bad = await fetch(`http://127.0.0.1:${ingest.port}/api/v1/write`, {
      method: 'POST',
      body: 'hello',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/not snappy-compressed/);
  });
});
