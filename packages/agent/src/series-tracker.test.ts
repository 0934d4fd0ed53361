import { describe, expect, it } from 'vitest';
import { SeriesTracker, type Point } from '@healstream/agent';
import { NO_ALIASES } from '@healstream/core';

/** Derivation under the exporter's own names (the alias table is tested on its own below). */
const tracker = (aliases = NO_ALIASES) =>
  new SeriesTracker({
    aliases,
    quantiles: [0.5, 0.9, 0.99],
    ratios: [
      {
        name: 'error_rate',
        numerator: { counter: 'http_requests_total', match: { code: /^(?:5..)$/ } },
        denominator: { counter: 'http_requests_total', match: {} },
      },
    ],
    staleAfterMs: 300_000,
    maxSeries: 1000,
  });

const BOUNDS = ['0.1', '0.25', '0.5', '1', '+Inf'];

/** One scrape of a page: a counter by status code, a histogram, and a gauge. */
function scrape(at: number, ok: number, failed: number, buckets: number[]): Point[] {
  const p = (name: string, labels: Record<string, string>, value: number): Point => ({
    component: 'payments',
    name,
    labels: { version: 'v1', ...labels },
    value,
    timestamp: at,
  });
  return [
    p('http_requests_total', { code: '200' }, ok),
    p('http_requests_total', { code: '503' }, failed),
    ...BOUNDS.map((le, i) => p('http_request_duration_seconds_bucket', { le }, buckets[i]!)),
    p('http_request_duration_seconds_sum', {}, 123),
    p('http_request_duration_seconds_count', {}, buckets[4]!),
    p('process_resident_memory_bytes', {}, 5e7),
  ];
}

const cpu = (at: number, seconds: number): Point => ({
  component: 'payments',
  name: 'process_cpu_seconds_total',
  labels: {},
  value: seconds,
  timestamp: at,
});

const values = (derived: { metric: string; value: number }[]) =>
  Object.fromEntries(derived.map((d) => [d.metric, d.value]));

function step(t: SeriesTracker, points: Point[]) {
  const batch = t.begin();
  const out = batch.add(points);
  batch.commit();
  return out;
}

describe('SeriesTracker', () => {
  it('publishes gauges at once, rates and quantiles from the second scrape on', () => {
    const t = tracker();
    const first = step(t, scrape(0, 100, 10, [100, 300, 700, 900, 1000]));
    expect(values(first)).toEqual({ process_resident_memory_bytes: 5e7 });

    // 10 s later: +90 ok and +10 failed requests; buckets grew by 10, 30, 70, 90, 100.
    const second = step(t, scrape(10_000, 190, 20, [110, 330, 770, 990, 1100]));
    const v = values(second);
    expect(v['http_requests_rate']).toBeCloseTo(10, 12);
    expect(v['error_rate']).toBeCloseTo(0.1, 12);
    expect(v['http_request_duration_seconds_p50']).toBeCloseTo(0.375, 12);
    expect(v['http_request_duration_seconds_p90']).toBeCloseTo(1, 12);
    expect(v['http_request_duration_seconds_p99']).toBe(1);
    expect(Object.keys(v)).not.toContain('http_request_duration_seconds_sum');
    expect(Object.keys(v)).not.toContain('http_request_duration_seconds_count');
    const p99 = second.find((d) => d.metric === 'http_request_duration_seconds_p99');
    expect(p99).toMatchObject({
      component: 'payments',
      timestamp: 10_000,
      labels: { version: 'v1' },
    });
  });

  it('publishes what it derives under the canonical names, in their units, by default', () => {
    const t = new SeriesTracker({
      quantiles: [0.99],
      ratios: [],
      staleAfterMs: 300_000,
      maxSeries: 1000,
    });
    step(t, [...scrape(0, 100, 10, [100, 300, 700, 900, 1000]), cpu(0, 12)]);
    const v = values(
      step(t, [...scrape(10_000, 190, 20, [110, 330, 770, 990, 1100]), cpu(10_000, 14.5)]),
    );
    expect(v['throughput']).toBeCloseTo(10, 12); // http_requests_total's rate
    expect(v['latency_p99']).toBe(1000); // http_request_duration_seconds' p99, in ms
    expect(v['cpu_util']).toBeCloseTo(0.25, 12); // rate of process_cpu_seconds_total
    expect(v['memory_mb']).toBeCloseTo(5e7 / 1024 / 1024, 9);
    expect(Object.keys(v)).not.toContain('http_requests_rate');
  });

  it('counts a counter that went down as reset to zero, as rate() does', () => {
    const t = tracker();
    step(t, scrape(0, 100, 10, [100, 300, 700, 900, 1000]));
    // The process restarted: every counter starts again from zero.
    const after = values(step(t, scrape(10_000, 8, 2, [1, 3, 6, 9, 10])));
    expect(after['http_requests_rate']).toBeCloseTo(1, 12); // (8 + 2) / 10 s
    expect(after['error_rate']).toBeCloseTo(0.2, 12);
    // buckets 1, 3, 6, 9, 10: rank 5 in (0.25, 0.5] → 0.25 + 0.25 × 2/3
    expect(after['http_request_duration_seconds_p50']).toBeCloseTo(0.25 + 0.25 * (2 / 3), 12);
  });

  it('publishes no quantile and no error rate when nothing happened between scrapes', () => {
    const t = tracker();
    step(t, scrape(0, 100, 10, [100, 300, 700, 900, 1000]));
    const idle = values(step(t, scrape(10_000, 100, 10, [100, 300, 700, 900, 1000])));
    expect(idle['http_requests_rate']).toBe(0);
    expect(idle).not.toHaveProperty('error_rate');
    expect(idle).not.toHaveProperty('http_request_duration_seconds_p99');
  });

  it('derives the same again from a batch that was not committed', () => {
    const t = tracker();
    step(t, scrape(0, 100, 10, [100, 300, 700, 900, 1000]));
    const points = scrape(10_000, 190, 20, [110, 330, 770, 990, 1100]);
    const failed = t.begin().add(points); // not committed: publishing it failed
    const retried = step(t, points);
    expect(retried).toEqual(failed);
    // and once committed, the same points again count nothing twice
    expect(values(step(t, points))).toEqual({ process_resident_memory_bytes: 5e7 });
  });

  it('waits for every bucket of a scrape when it arrives in two batches', () => {
    const t = tracker();
    step(t, scrape(0, 100, 10, [100, 300, 700, 900, 1000]));
    const points = scrape(10_000, 190, 20, [110, 330, 770, 990, 1100]);
    const buckets = points.filter((p) => p.name.endsWith('_bucket'));
    const firstHalf = values(step(t, [...buckets.slice(0, 2)]));
    expect(firstHalf).not.toHaveProperty('http_request_duration_seconds_p50');
    const rest = values(
      step(
        t,
        points.filter((p) => !buckets.slice(0, 2).includes(p)),
      ),
    );
    expect(rest['http_request_duration_seconds_p50']).toBeCloseTo(0.375, 12);
  });

  it('reads histograms from bucket names when no type is known, and keeps their sum and count out', () => {
    const t = tracker();
    const labels = { le: '+Inf' };
    const out = step(t, [
      { component: 'c', name: 'x_bucket', labels, value: 1, timestamp: 1 },
      { component: 'c', name: 'x_count', labels: {}, value: 1, timestamp: 1 },
      {
        component: 'c',
        name: 'rpc_duration_seconds',
        labels: { quantile: '0.99' },
        value: 0.2,
        timestamp: 1,
      },
    ]);
    expect(values(out)).toEqual({ rpc_duration_seconds_p99: 0.2 });
  });

  it('lets a series that left the page (or got a stale NaN) hold its family back no longer', () => {
    const counter = (code: string, value: number, timestamp: number): Point => ({
      component: 'payments',
      name: 'http_requests_total',
      labels: { code },
      value,
      timestamp,
    });
    const scraped = tracker();
    step(scraped, [counter('200', 1, 0), counter('500', 1, 0)]);
    // The 500 series is gone from the next page; the page is complete, so 200 alone counts.
    const batch = scraped.begin();
    expect(values(batch.add([counter('200', 11, 10_000)], ['payments']))).toEqual({
      http_requests_rate: 1,
      error_rate: 0,
    });

    const written = tracker();
    step(written, [counter('200', 1, 0), counter('500', 1, 0)]);
    // remote_write: no completeness known, so 500 holds the family back until it is marked stale
    expect(values(step(written, [counter('200', 11, 10_000)]))).toEqual({});
    expect(values(step(written, [counter('500', Number.NaN, 10_000)]))).toEqual({
      http_requests_rate: 1,
      error_rate: 0,
    });
  });
});
