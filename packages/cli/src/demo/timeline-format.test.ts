import { describe, expect, it } from 'vitest';
import type { HealingDecision, ReliabilityEvent } from '@healstream/contracts';
import { describeMetrics, TimelineFormatter } from './timeline-format.js';

const T0 = 1_000_000;

const event = (over: Partial<ReliabilityEvent>): ReliabilityEvent => ({
  eventId: 'inc-1#1',
  incidentId: 'inc-1',
  component: 'payments',
  kind: 'ANOMALY',
  severity: 'WARNING',
  detectedAt: T0 + 2000,
  snapshot: [],
  anomalies: [
    { metric: 'db_pool_utilization', value: 1, baseline: 0.95, score: 1, detector: 'threshold' },
  ],
  labels: {},
  forecasts: [],
  ...over,
});

const decision = (verdict: HealingDecision['verdict']): HealingDecision => ({
  decisionId: `d-${verdict}`,
  incidentId: 'inc-1',
  component: 'payments',
  eventId: 'inc-1#1',
  verdict,
  policy: verdict === 'DISPATCHED' ? 'Restart On Pool Exhaustion' : null,
  commandId: null,
  attempt: 1,
  reason: 'why',
  evaluated: [],
  decidedAt: T0 + 2100,
  causes: [],
});

describe('the demo timeline', () => {
  it('shows an incident once, with times since the run and since the fault, and leaves out the repeats', () => {
    const f = new TimelineFormatter(T0);
    f.watch('payments', T0 + 1000);
    const first = f.format({ logical: 'reliability-events', value: event({}) });
    expect(first).toMatch(
      /^ +\+2\.0s fault\+1\.0s +payments +DETECTED +WARNING db_pool_utilization 1 \(limit 0\.95\)/,
    );
    expect(
      f.format({
        logical: 'reliability-events',
        value: event({ eventId: 'inc-1#2', detectedAt: T0 + 4000 }),
      }),
    ).toBeNull();
    expect(
      f.format({ logical: 'healing-decisions', value: decision('SKIPPED_IN_FLIGHT') }),
    ).toBeNull();
    expect(f.format({ logical: 'healing-decisions', value: decision('DISPATCHED') })).toMatch(
      /DECIDED +DISPATCHED: Restart On Pool Exhaustion \(attempt 1\)/,
    );
    expect(
      f.format({
        logical: 'reliability-events',
        value: event({ kind: 'RESOLVED', anomalies: [], detectedAt: T0 + 9000 }),
      }),
    ).toMatch(/RESOLVED +incident inc-1 closed/);
    // another component's records carry no time since this fault
    expect(
      f.format({
        logical: 'reliability-events',
        value: event({ incidentId: 'inc-2', component: 'search' }),
      }),
    ).toMatch(/^ +\+2\.0s {13}search/);
  });

  it('sums up a component’s latest scrape in a few words', () => {
    const m = new Map([
      ['latency_p99', 14.2],
      ['error_rate', 0.002],
      ['throughput', 39.8],
      ['cpu_util', 0.031],
      ['db_pool_utilization', 0.1],
    ]);
    expect(describeMetrics(m)).toBe('p99 14 ms, errors 0.2%, 40 req/s, cpu 3%, db pool 10%');
    expect(describeMetrics(undefined)).toBe('no scrape yet');
  });
});
