import { describe, expect, it, onTestFinished } from 'vitest';
import type { MetricSample } from '@healstream/contracts';
import { busyExporter } from '../support/exporter.js';
import { tempFile } from '../support/full-pipeline.js';
import { privatePipeline } from '../support/pipeline.js';
import { watchTopic } from '../support/records.js';
import { spawnPipelineProcess } from '../support/subprocess.js';

describe('healstream agent --targets FILE', () => {
  it('scrapes a real endpoint and publishes rates, quantiles and the error ratio to Kafka', async () => {
    const { config, topic } = await privatePipeline();
    const page = await busyExporter({ version: 'v7' });
    const targets = tempFile(
      'targets.yaml',
      [
        'interval_seconds: 0.5',
        'targets:',
        `  - { component: checkout, url: "${page.url}" }`,
        'ratios:',
        '  - name: error_rate',
        '    numerator: { counter: http_requests_total, match: { code: "5.." } }',
        '    denominator: { counter: http_requests_total }',
      ].join('\n'),
    );
    const samples = await watchTopic<MetricSample>(topic('metrics'), 'MetricSample');
    onTestFinished(() => samples.stop());
    const agent = spawnPipelineProcess(
      'agent',
      ['packages/cli/src/main.ts', 'agent', '--targets', targets],
      config,
      { LOG_LEVEL: 'warn' },
    );
    const port = agent.port;

    const byMetric = (items: MetricSample[], metric: string) =>
      items.filter((s) => s.component === 'checkout' && s.metric === metric);
    await samples.waitFor(
      'the agent’s p99, rate and error_rate',
      (items) =>
        // p99 and the request rate arrive under their canonical names (docs/metrics.md, alias table)
        ['latency_p99', 'throughput', 'error_rate'].every((m) => byMetric(items, m).length >= 2),
      60_000,
    );
    const items = samples.items;
    for (const s of byMetric(items, 'http_request_duration_seconds_p50'))
      expect(s.value).toBeCloseTo(0.375, 9);
    for (const s of byMetric(items, 'http_request_duration_seconds_p90'))
      expect(s.value).toBeCloseTo(1, 9);
    for (const s of byMetric(items, 'latency_p99')) {
      expect(s.value).toBe(1000); // 1 s, in ms: the +Inf bucket's highest finite bound, as PromQL says
      expect(s.labels).toEqual({ version: 'v7' });
    }
    for (const s of byMetric(items, 'error_rate')) expect(s.value).toBeCloseTo(0.1, 9);
    // 100 requests per scrape, one scrape every ~0.5 s: about 200 requests per second.
    expect(byMetric(items, 'http_request_duration_seconds_p99')).toEqual([]);
    for (const s of byMetric(items, 'throughput')) {
      expect(s.value).toBeGreaterThan(100);
      expect(s.value).toBeLessThan(400);
    }
    expect(byMetric(items, 'process_open_fds')[0]?.value).toBe(17);
    expect(byMetric(items, 'up').every((s) => s.value === 1)).toBe(true);
    const parts = items.filter((s) => /_(bucket|sum|count|total)$/.test(s.metric));
    expect(parts).toEqual([]);

    const health = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(
      /healstream_agent_rounds_total\{result="published",service="agent"\} [1-9]/,
    );

    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(agent.lines.join('\n')).not.toMatch(/scrape round failed|shutdown failed/);
  });
});
