import type { Anomaly, ReliabilityEvent } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { CALIBRATION, stepValue } from './calibration.js';
import { diagnose } from './diagnose.js';

const T = Date.parse('2026-03-01T10:00:00Z');

function event(metrics: Record<string, number>, anomalies: Anomaly[] = []): ReliabilityEvent {
  return {
    eventId: 'e1',
    incidentId: 'i1',
    component: 'payments',
    kind: 'ANOMALY',
    severity: 'CRITICAL',
    detectedAt: T,
    snapshot: Object.entries(metrics).map(([metric, value]) => ({ metric, value, observedAt: T })),
    anomalies,
    labels: {},
    forecasts: [],
  };
}

const latency: Anomaly = {
  metric: 'latency_p99',
  value: 800,
  baseline: 300,
  score: 1,
  detector: 'threshold',
};
// A full pool with waiting requests (strength 0.8), and memory at 90% with a calm CPU (0.55).
const pool = event(
  { db_pool_utilization: 0.97, latency_p99: 800, memory_util: 0.9, cpu_util: 0.3 },
  [latency],
);

describe('calibration: from match strength to confidence', () => {
  it('reads a step table at or below the strength, the first step below all', () => {
    const steps = [
      [0.5, 0.9],
      [0.8, 0.99],
    ] as const;
    expect(stepValue(steps, 0.3)).toBe(0.9);
    expect(stepValue(steps, 0.5)).toBe(0.9);
    expect(stepValue(steps, 0.79)).toBe(0.9);
    expect(stepValue(steps, 0.8)).toBe(0.99);
    expect(stepValue(steps, 0.8 - 1e-12)).toBe(0.99); // sums of tenths land a hair under
  });

  it('the shipped table never says less for a stronger match, and stays within 0.01–0.99', () => {
    const values = CALIBRATION.map(([, c]) => c);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.every((c) => c >= 0.01 && c <= 0.99)).toBe(true);
  });

  it('says the cause named first with its calibrated confidence; the others keep their strength', () => {
    const raw = diagnose(pool, T, { calibration: null }).causes;
    expect(raw.map((c) => [c.cause, c.confidence])).toEqual([
      ['connection-pool-exhaustion', 0.8],
      ['memory-leak', 0.55],
    ]);
    const said = diagnose(pool, T).causes;
    expect(said.map((c) => [c.cause, c.confidence])).toEqual([
      ['connection-pool-exhaustion', stepValue(CALIBRATION, 0.8)],
      ['memory-leak', 0.55],
    ]);
    expect(said[0]?.confidence).not.toBe(0.8);
  });

  it('takes another table, never says a lower cause above the first, leaves `unknown` alone', () => {
    const said = diagnose(pool, T, { calibration: [[0.5, 0.52]] }).causes;
    expect(said.map((c) => c.confidence)).toEqual([0.52, 0.52]);
    const unexplained = event({ latency_p99: 800 }, [latency]);
    expect(diagnose(unexplained, T, { calibration: [[0, 0.3]] }).causes).toMatchObject([
      { cause: 'unknown', confidence: 1 },
    ]);
  });
});
