import type { ReliabilityEvent } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { diagnose } from './diagnose.js';
import {
  DIAGNOSIS_LABEL,
  incidentOpenedAt,
  isProvisionalDiagnosis,
  PROVISIONAL_UNKNOWN_MS,
  withheld,
} from './provisional.js';
import { CLEARED, CRITICAL_LINE, EVENT_LABEL, LINE_LABEL } from '../detect/events.js';

const OPENED = Date.parse('2026-03-01T10:00:00Z');

/** An event `ageMs` into an incident the detector opened at OPENED. */
function event(
  metrics: Record<string, number>,
  ageMs: number,
  extra: Partial<ReliabilityEvent> = {},
): ReliabilityEvent {
  const at = OPENED + ageMs;
  return {
    eventId: `inc-payments-eu-${OPENED}#2`,
    incidentId: `inc-payments-eu-${OPENED}`,
    component: 'payments-eu',
    kind: 'ANOMALY',
    severity: 'CRITICAL',
    detectedAt: at,
    snapshot: Object.entries(metrics).map(([metric, value]) => ({ metric, value, observedAt: at })),
    anomalies: [
      { metric: 'latency_p99', value: 700, baseline: 500, score: 1, detector: 'threshold' },
    ],
    labels: {},
    forecasts: [],
    ...extra,
  };
}

const held = (e: ReliabilityEvent, ms?: number) =>
  isProvisionalDiagnosis(diagnose(e, e.detectedAt, { provisionalUnknownMs: ms }));
// Latency over its line and nothing else: no cause's shape yet, `unknown` comes first.
const early = { latency_p99: 700, cpu_util: 0.4, error_rate: 0.01 };

describe("provisional: a young incident's unknown is labelled so", () => {
  it('reads when the incident opened from its id', () => {
    expect(incidentOpenedAt(`inc-payments-eu-${OPENED}`)).toBe(OPENED);
    expect(incidentOpenedAt('i')).toBeUndefined();
  });

  it('labels `unknown` provisional while the incident is young, even when critical', () => {
    expect(diagnose(event(early, 5_000), OPENED).causes[0]?.cause).toBe('unknown');
    expect(held(event(early, 5_000))).toBe(true);
    expect(held(event(early, PROVISIONAL_UNKNOWN_MS - 5_000))).toBe(true);
  });

  it('says `unknown` once the incident is older than the hold', () => {
    expect(held(event(early, PROVISIONAL_UNKNOWN_MS))).toBe(false);
    expect(held(event(early, 10_000), 10_000)).toBe(false);
    expect(held(event(early, 10_000), 20_000)).toBe(true);
  });

  it('never labels a named cause, a cleared or RESOLVED event, or an incident of unknown age', () => {
    expect(held(event({ ...early, db_pool_utilization: 0.97 }, 0))).toBe(false);
    expect(held(event(early, 0, { labels: { [EVENT_LABEL]: CLEARED } }))).toBe(false);
    expect(held(event(early, 0, { kind: 'RESOLVED' }))).toBe(false);
    expect(held(event(early, 0, { incidentId: 'i' }))).toBe(false);
  });

  it('keeps the causes and the component labels as they are', () => {
    const d = diagnose(event(early, 5_000, { labels: { version: 'v2' } }), OPENED + 5_000);
    expect(d.causes[0]?.cause).toBe('unknown');
    expect(d.labels).toEqual({ version: 'v2', [DIAGNOSIS_LABEL]: 'provisional' });
  });
});

describe('withheld: what the diagnoser does not publish', () => {
  const critical = { [LINE_LABEL]: CRITICAL_LINE };
  const diagnosed = (e: ReliabilityEvent) => diagnose(e, e.detectedAt);

  it("holds back a young incident's unknown while no metric is past a critical line", () => {
    expect(withheld(diagnosed(event(early, 5_000)))).toBe(true);
    expect(withheld(diagnosed(event(early, PROVISIONAL_UNKNOWN_MS - 5_000)))).toBe(true);
  });

  it('publishes it once the incident is older than the hold', () => {
    expect(withheld(diagnosed(event(early, PROVISIONAL_UNKNOWN_MS)))).toBe(false);
  });

  it('publishes at once what is past a critical line, provisional or not', () => {
    const d = diagnosed(event(early, 5_000, { labels: critical }));
    expect(isProvisionalDiagnosis(d)).toBe(true);
    expect(withheld(d)).toBe(false);
  });

  it('publishes at once an incident a forecast opened: its policy acts before the crossing', () => {
    const forecast = {
      metric: 'cpu_util',
      value: 0.93,
      baseline: 0.9,
      score: 1,
      detector: 'forecast' as const,
    };
    const d = diagnosed(event(early, 5_000, { anomalies: [forecast] }));
    expect(isProvisionalDiagnosis(d)).toBe(true);
    expect(withheld(d)).toBe(false);
  });

  it('never holds back a named cause: a crash is published at once', () => {
    const crash = event({ up: 0 }, 0, { severity: 'WARNING' });
    expect(diagnosed(crash).causes[0]?.cause).toBe('crash-silence');
    expect(withheld(diagnosed(crash))).toBe(false);
    expect(withheld(diagnosed(event({ ...early, db_pool_utilization: 0.97 }, 0)))).toBe(false);
  });
});
