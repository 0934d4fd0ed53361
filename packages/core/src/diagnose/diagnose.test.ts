import type { Anomaly, ReliabilityEvent } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { diagnose } from './diagnose.js';

const T = Date.parse('2026-03-01T10:00:00Z');

function event(
  metrics: Record<string, number>,
  anomalies: Partial<Anomaly>[] = [],
  extra: Partial<ReliabilityEvent> = {},
): ReliabilityEvent {
  return {
    eventId: 'e',
    incidentId: 'i',
    component: 'payments',
    kind: 'ANOMALY',
    severity: 'WARNING',
    detectedAt: T,
    snapshot: Object.entries(metrics).map(([metric, value]) => ({ metric, value, observedAt: T })),
    anomalies: anomalies.map((a) => ({
      metric: '',
      value: 0,
      baseline: 0,
      score: 1,
      detector: 'statistical',
      ...a,
    })),
    labels: {},
    forecasts: [],
    ...extra,
  };
}

/** The rules' own match strengths (calibration.test.ts tests the mapping to confidences). */
const top = (e: ReliabilityEvent) => diagnose(e, T, { calibration: null }).causes[0];

describe('diagnose: the cause catalogue', () => {
  it('connection-pool exhaustion from pool utilisation (or active/max) and waiting requests', () => {
    const d = top(
      event({ db_pool_active: 20, db_pool_max: 20, latency_p99: 800, error_rate: 0.1 }),
    );
    expect(d).toMatchObject({ cause: 'connection-pool-exhaustion', confidence: 0.9 });
    expect(d?.evidence[0]).toBe('db pool utilization 100% ≥ 90%');
  });

  it('memory leak: memory grown above baseline while the CPU is calm', () => {
    const d = top(
      event({ memory_mb: 1800, cpu_util: 0.3 }, [
        { metric: 'memory_mb', value: 1800, baseline: 900 },
      ]),
    );
    expect(d).toMatchObject({ cause: 'memory-leak', confidence: 0.8 });
  });

  it('resource exhaustion: CPU and memory saturated', () => {
    expect(top(event({ cpu_util: 0.95, memory_util: 0.9 }))).toMatchObject({
      cause: 'resource-exhaustion',
      confidence: 0.85,
    });
  });

  it('traffic spike: throughput far above its baseline', () => {
    const d = top(
      event({ throughput: 3000, latency_p99: 400 }, [
        { metric: 'throughput', value: 3000, baseline: 1000 },
      ]),
    );
    expect(d).toMatchObject({ cause: 'traffic-spike', confidence: 0.85 });
    expect(d?.evidence[0]).toContain('3.0× usual');
  });

  it('dependency failure: dependencies fail and our errors follow', () => {
    expect(top(event({ dependency_error_rate: 0.4, error_rate: 0.2 }))).toMatchObject({
      cause: 'dependency-failure',
      confidence: 0.85,
    });
  });

  it('bad deploy: a step right after a deploy marker, not long after it', () => {
    const symptoms = [{ metric: 'error_rate', value: 0.12, baseline: 0.05, detector: 'threshold' }];
    const recent = event({ error_rate: 0.12 }, symptoms, { labels: { version: 'v42' } });
    recent.snapshot.push({ metric: 'deploy', value: 1, observedAt: T - 60_000 });
    expect(top(recent)).toMatchObject({ cause: 'bad-deploy', confidence: 0.95 });
    expect(top(recent)?.evidence[0]).toBe('deployed 60 s before the anomaly (now version v42)');
    const old = event({ error_rate: 0.12 }, symptoms);
    old.snapshot.push({ metric: 'deploy', value: 1, observedAt: T - 3_600_000 });
    expect(top(old)?.cause).toBe('unknown');
  });

  it('deadlock or hang: throughput collapses, requests pile up, CPU idles', () => {
    const d = top(
      event({ throughput: 5, inflight_requests: 400, cpu_util: 0.05 }, [
        { metric: 'throughput', value: 5, baseline: 800 },
      ]),
    );
    expect(d).toMatchObject({ cause: 'deadlock-hang', confidence: 0.85 });
  });

  it('unknown when nothing in the catalogue explains the anomalies', () => {
    const d = diagnose(
      event({ latency_p99: 600 }, [
        { metric: 'latency_p99', value: 600, baseline: 500, detector: 'threshold' },
      ]),
      T,
    );
    expect(d.causes).toEqual([
      {
        cause: 'unknown',
        confidence: 1,
        evidence: ['no catalogued cause explains: latency_p99 600 (threshold 500, score 1)'],
      },
    ]);
  });

  it('ranks causes by confidence and ignores stale readings', () => {
    const e = event({ cpu_util: 0.3, memory_util: 0.9, dependency_error_rate: 0.3 });
    expect(diagnose(e, T).causes.map((c) => c.cause)).toEqual([
      'dependency-failure',
      'memory-leak',
    ]);
    const stale = event({});
    stale.snapshot.push(
      { metric: 'cpu_util', value: 0.99, observedAt: T - 600_000 },
      { metric: 'memory_util', value: 0.99, observedAt: T - 600_000 },
    );
    expect(diagnose(stale, T).causes.map((c) => c.cause)).toEqual(['unknown']);
  });

  it('a RESOLVED event has no causes', () => {
    expect(diagnose(event({ cpu_util: 0.99 }, [], { kind: 'RESOLVED' }), T).causes).toEqual([]);
  });
});
