import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  canonicalMetric,
  canonicalSample,
  DEFAULT_METRIC_ALIASES,
  isKnownMetric,
  metricAliases,
  suggestMetric,
} from './aliases.js';

describe('the metric alias table', () => {
  it('maps unit-suffixed and exporter names onto the canonical ones, in their unit', () => {
    const sample = (metric: string, value: number) => ({ metric, value });
    expect(canonicalSample(sample('latency_p99_ms', 600))).toEqual(sample('latency_p99', 600));
    expect(canonicalSample(sample('http_request_duration_seconds_p99', 0.6))).toEqual(
      sample('latency_p99', 600),
    );
    expect(canonicalSample(sample('throughput_rps', 900))).toEqual(sample('throughput', 900));
    expect(canonicalSample(sample('cpu_percent', 45))).toEqual(sample('cpu_util', 0.45));
    const canonical = sample('latency_p99', 600);
    expect(canonicalSample(canonical)).toBe(canonical);
    expect(canonicalSample(sample('queue_depth', 3))).toEqual(sample('queue_depth', 3));
  });

  it("takes a deployment's entries on top, following an alias of an alias once", () => {
    const table = metricAliases([
      { name: 'svc_p99_us', metric: 'latency_p99_ms', scale: 0.001 },
      { name: 'cpu_percent', metric: 'cpu_util', scale: 0.02 },
    ]);
    expect(canonicalMetric('svc_p99_us', table)).toEqual({ metric: 'latency_p99', scale: 0.001 });
    expect(canonicalMetric('cpu_percent', table)).toEqual({ metric: 'cpu_util', scale: 0.02 });
    expect(isKnownMetric('svc_p99_us', table)).toBe(true);
    expect(isKnownMetric('svc_p99_us')).toBe(false);
  });

  it('suggests the closest known name for a typo', () => {
    expect(suggestMetric('latency_p9')).toBe('latency_p99');
    expect(suggestMetric('throughput_rpm')).toBe('throughput_rps');
    expect(suggestMetric('queue_depth')).toBeUndefined();
  });

  it('is documented in docs/metrics.md, every alias of it', () => {
    const doc = readFileSync(new URL('../../../../docs/metrics.md', import.meta.url), 'utf8');
    const missing = DEFAULT_METRIC_ALIASES.filter((a) => !doc.includes(`\`${a.name}\``));
    expect(missing).toEqual([]);
  });
});
