import type { Anomaly, ReliabilityEvent } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { diagnose } from './diagnose.js';
import { atTimeoutCeiling } from './shape-rules.js';

const T = Date.parse('2026-03-01T10:00:00Z');

/** An event with the whole scrape in its snapshot and statistical anomalies where given. */
function event(
  metrics: Record<string, number>,
  anomalies: Partial<Anomaly>[] = [],
  observedAt = T,
): ReliabilityEvent {
  return {
    eventId: 'e',
    incidentId: 'i',
    component: 'payments',
    kind: 'ANOMALY',
    severity: 'WARNING',
    detectedAt: T,
    snapshot: Object.entries(metrics).map(([metric, value]) => ({
      metric,
      value,
      observedAt: metric === 'up' ? T : observedAt,
    })),
    anomalies: anomalies.map((a) => ({
      metric: '',
      value: 0,
      baseline: 0,
      score: 0.99,
      detector: 'statistical',
      ...a,
    })),
    labels: {},
    forecasts: [],
  };
}
/** The rules' own match strengths (calibration.test.ts tests the mapping to confidences). */
const causes = (e: ReliabilityEvent) => diagnose(e, T, { calibration: null }).causes;
const top = (e: ReliabilityEvent) => causes(e)[0];
const errors = { metric: 'error_rate', value: 0.3, baseline: 0.15, detector: 'threshold' as const };

describe('cause shapes from the five metrics alone', () => {
  it('a timeout ceiling is a whole number of seconds, within 2%', () => {
    expect([1000, 1990, 2000, 5040].map(atTimeoutCeiling)).toEqual([true, true, true, true]);
    expect([500, 940, 1370, 2600].map(atTimeoutCeiling)).toEqual([false, false, false, false]);
  });

  it('dependency failure: errors with a calm CPU, the p99 pinned at a timeout ceiling', () => {
    const base = { error_rate: 0.3, cpu_util: 0.2, throughput: 900 };
    const d = top(event({ ...base, latency_p99: 2000 }, [errors]));
    expect(d).toMatchObject({ cause: 'dependency-failure', confidence: 0.85 });
    expect(d?.evidence).toContain(
      'p99 2000 ms sits at a timeout ceiling: calls wait out a timeout',
    );
    // Calls refused fast: errors alone, latency unmoved, a weaker finding.
    expect(top(event({ ...base, latency_p99: 120 }, [errors]))).toMatchObject({
      cause: 'dependency-failure',
      confidence: 0.65,
    });
  });

  it('dependency failure is not named when the dependency reports its calls succeed', () => {
    // The database is down: requests fail fast, yet the dependency's own calls are fine.
    const dbDown = { error_rate: 0.9, cpu_util: 0.1, latency_p99: 30, dependency_error_rate: 0 };
    expect(causes(event(dbDown, [errors])).map((c) => c.cause)).toEqual(['unknown']);
  });

  it('dependency failure is not named when the CPU is saturated or the pool full', () => {
    const busy = causes(event({ error_rate: 0.3, cpu_util: 0.95, latency_p99: 2000 }, [errors]));
    expect(busy.map((c) => c.cause)).not.toContain('dependency-failure');
    const pool = { error_rate: 0.3, cpu_util: 0.2, latency_p99: 2000, db_pool_utilization: 1 };
    expect(top(event(pool, [errors]))?.cause).toBe('connection-pool-exhaustion');
  });

  it('deadlock or hang: throughput collapsed, CPU idle, huge latency, no inflight metric', () => {
    const d = top(
      event({ throughput: 20, cpu_util: 0.03, latency_p99: 8000 }, [
        { metric: 'throughput', value: 20, baseline: 900 },
      ]),
    );
    expect(d).toMatchObject({ cause: 'deadlock-hang', confidence: 0.85 });
    // Once the scorer has taken the collapse as the new level, the absolute shape still tells.
    expect(top(event({ throughput: 300, cpu_util: 0.05, latency_p99: 5000 }))).toMatchObject({
      cause: 'deadlock-hang',
      confidence: 0.85,
    });
    expect(top(event({ throughput: 300, cpu_util: 0.5, latency_p99: 5000 }))?.cause).toBe(
      'unknown',
    );
  });

  it('crash or silence: up 0 and the component’s own metrics stopped', () => {
    const d = top(event({ up: 0, latency_p99: 120, throughput: 900 }, [], T - 30_000));
    expect(d).toMatchObject({ cause: 'crash-silence', confidence: 0.9 });
    expect(d?.evidence).toEqual([
      'up 0: the scrape got no answer',
      'no metric from the component for 30 s',
    ]);
    expect(top(event({ up: 1, latency_p99: 120 }))?.cause).toBe('unknown');
  });

  it('a traffic surge is a spike, not a memory leak nor resource exhaustion', () => {
    const surge = { metric: 'throughput', value: 3000, baseline: 1000 };
    const leakLike = causes(
      event({ throughput: 3000, memory_util: 0.9, latency_p99: 400 }, [surge]),
    );
    expect(leakLike[0]?.cause).toBe('traffic-spike');
    expect(leakLike.map((c) => c.cause)).not.toContain('memory-leak');
    const saturated = causes(
      event({ throughput: 3000, cpu_util: 0.95, memory_util: 0.9, latency_p99: 400 }, [surge]),
    );
    expect(saturated.map((c) => [c.cause, c.confidence])).toEqual([
      ['traffic-spike', 0.85],
      ['resource-exhaustion', 0.6],
    ]);
  });

  it('CPU just under 90% with memory full is exhaustion, not a leak', () => {
    const both = causes(event({ cpu_util: 0.87, memory_util: 0.9, latency_p99: 700 }));
    expect(both.map((c) => [c.cause, c.confidence])).toEqual([['resource-exhaustion', 0.7]]);
    expect(top(event({ cpu_util: 0.87, memory_util: 0.5 }))?.cause).toBe('unknown');
  });

  it('bad deploy: memory stepping up after a deploy blames the deploy', () => {
    const e = event({ memory_util: 0.9, cpu_util: 0.3 }, [
      { metric: 'memory_util', value: 0.9, baseline: 0.5 },
    ]);
    e.snapshot.push({ metric: 'deploy', value: 1, observedAt: T - 120_000 });
    expect(causes(e).map((c) => c.cause)).toEqual(['bad-deploy', 'memory-leak']);
  });
});
