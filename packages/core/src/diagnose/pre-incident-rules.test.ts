import type { Anomaly, ReliabilityEvent } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { diagnose } from './diagnose.js';

const T = Date.parse('2026-03-01T10:00:00Z');

/**
 * An event part-way into a ramp: the snapshot, and each `usual` metric listed as the detector
 * lists a shift from its pre-incident level (detector `pre-incident`, baseline that level).
 */
function ramp(
  metrics: Record<string, number>,
  usual: Record<string, number>,
  extra: Anomaly[] = [],
): ReliabilityEvent {
  return {
    eventId: 'e',
    incidentId: 'i',
    component: 'payments',
    kind: 'ANOMALY',
    severity: 'WARNING',
    detectedAt: T,
    snapshot: Object.entries(metrics).map(([metric, value]) => ({ metric, value, observedAt: T })),
    anomalies: [
      ...extra,
      ...Object.entries(usual).map(([metric, baseline]) => ({
        metric,
        value: metrics[metric] ?? 0,
        baseline,
        score: 0.99,
        detector: 'pre-incident',
      })),
    ],
    labels: {},
    forecasts: [],
  };
}
/** The rules' own match strengths (calibration.test.ts tests the mapping to confidences). */
const top = (e: ReliabilityEvent) => diagnose(e, T, { calibration: null }).causes[0];
const threshold = (metric: string, value: number, limit: number): Anomaly => ({
  metric,
  value,
  baseline: limit,
  score: 1,
  detector: 'threshold',
});
const calm = { error_rate: 0.01, memory_util: 0.45, up: 1 };

describe('causes from the pre-incident level, before the shape is complete', () => {
  it('a pool filling towards full, with latency following, is pool exhaustion', () => {
    const metrics = { ...calm, db_pool_utilization: 0.6, latency_p99: 450, cpu_util: 0.3 };
    const e = ramp(metrics, { db_pool_utilization: 0.35 }, [threshold('latency_p99', 450, 300)]);
    expect(top(e)?.cause).toBe('connection-pool-exhaustion');
    // Without the pre-incident level the same scrape names nothing.
    expect(top(ramp(metrics, {}, [threshold('latency_p99', 450, 300)]))?.cause).toBe('unknown');
  });

  it('CPU climbing with the same load and latency following is resource exhaustion', () => {
    const metrics = { ...calm, cpu_util: 0.56, latency_p99: 330, throughput: 1600 };
    const e = ramp(metrics, { cpu_util: 0.41, latency_p99: 95 });
    expect(top(e)?.cause).toBe('resource-exhaustion');
    // More traffic doing it is a spike in the making, not exhaustion.
    const busier = ramp({ ...metrics, throughput: 2200 }, { cpu_util: 0.41, throughput: 1600 });
    expect(top(busier)?.cause).not.toBe('resource-exhaustion');
  });

  it('errors climbing from their usual level with a calm CPU is a dependency failing', () => {
    const metrics = { ...calm, error_rate: 0.06, latency_p99: 800, cpu_util: 0.3 };
    expect(top(ramp(metrics, { error_rate: 0.015 }))?.cause).toBe('dependency-failure');
    // The same errors with CPU climbing are ours.
    const busy = ramp({ ...metrics, cpu_util: 0.5 }, { error_rate: 0.015, cpu_util: 0.3 });
    expect(top(busy)?.cause).not.toBe('dependency-failure');
  });

  it('work and CPU falling together, latency up, is a hang on its way', () => {
    const metrics = { ...calm, throughput: 1100, cpu_util: 0.2, latency_p99: 4800 };
    const e = ramp(metrics, { throughput: 2900, cpu_util: 0.42 }, [
      threshold('latency_p99', 4800, 500),
    ]);
    expect(top(e)?.cause).toBe('deadlock-hang');
  });

  it('requests waiting seconds with nothing busier, no errors, no full pool is a hang', () => {
    const metrics = { ...calm, throughput: 1100, cpu_util: 0.37, latency_p99: 2300 };
    const e = ramp(metrics, { latency_p99: 97 }, [threshold('latency_p99', 2300, 500)]);
    expect(top(e)?.cause).toBe('deadlock-hang');
    // With errors it is no hang: the calls fail.
    const failing = ramp({ ...metrics, error_rate: 0.2 }, { latency_p99: 97, error_rate: 0.01 });
    expect(top(failing)?.cause).not.toBe('deadlock-hang');
  });

  it('a quarter more traffic with the load showing is a traffic spike building', () => {
    const metrics = { ...calm, throughput: 3500, cpu_util: 0.34, latency_p99: 260 };
    expect(top(ramp(metrics, { throughput: 2760, cpu_util: 0.22 }))?.cause).toBe('traffic-spike');
  });

  it('memory above its pre-incident level while CPU climbs as fast is not a leak', () => {
    const metrics = { ...calm, memory_util: 0.76, cpu_util: 0.74, latency_p99: 370 };
    const e = ramp(metrics, { memory_util: 0.56, cpu_util: 0.37 }, [
      threshold('latency_p99', 370, 300),
    ]);
    expect(top(e)?.cause).toBe('resource-exhaustion');
    // Memory growing faster than CPU is.
    const leak = ramp(
      { ...metrics, memory_util: 0.99, cpu_util: 0.5 },
      {
        memory_util: 0.45,
        cpu_util: 0.38,
      },
    );
    expect(top(leak)?.cause).toBe('memory-leak');
  });

  it('a deploy up to 15 minutes before the symptoms outranks the shape they take', () => {
    const e = ramp(
      { ...calm, memory_util: 0.97, cpu_util: 0.3, latency_p99: 900 },
      {
        memory_util: 0.45,
      },
    );
    e.snapshot.push({ metric: 'deploy', value: 1, observedAt: T - 9 * 60_000 });
    expect(top(e)).toMatchObject({ cause: 'bad-deploy', confidence: 0.85 });
  });
});
