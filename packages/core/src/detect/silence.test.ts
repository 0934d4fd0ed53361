import type { Escalation, MetricSample, ReliabilityEvent } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../diagnose/diagnose.js';
import { resolveDetectorConfig, type DetectorConfigInput } from './config.js';
import { detectRecord, type DetectorEntry } from './partition.js';
import { expectedInterval, TICK_COMPONENT, TICK_METRIC } from './silence.js';
import { emptyDetectorState, type ComponentDetectorState } from './state.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');

const config = (silence: NonNullable<DetectorConfigInput['silence']> = {}) =>
  resolveDetectorConfig({
    statistical: { enabled: false },
    resolveAfterSamples: 2,
    reemitEveryMs: 5000,
    silence: { minSilenceMs: 2000, ...silence },
  });

const sample = (
  component: string,
  at: number,
  metric = 'latency_p99',
  value = 50,
): MetricSample => ({
  component,
  metric,
  value,
  timestamp: at,
  labels: {},
});
const tick = (at: number) => sample(TICK_COMPONENT, at, TICK_METRIC, 0);

/**
 * One detector partition on a virtual clock: records in order, each with its arrival time (the
 * record timestamp). Returns everything it emitted, with the arrival time it came at.
 */
function partition(cfg = config()) {
  const store = new Map<string, DetectorEntry>();
  const kv = {
    get: (k: string) => store.get(k),
    set: (k: string, v: DetectorEntry) => void store.set(k, v),
    delete: (k: string) => void store.delete(k),
    keys: () => [...store.keys()],
    // As the service's store lists them: the check walks the values, not a get per key.
    values: () => [...store.values()],
  };
  const events: ReliabilityEvent[] = [];
  const requests: Escalation[] = [];
  return {
    events,
    requests,
    feed(record: MetricSample, arrivedAt = record.timestamp) {
      const step = detectRecord(kv, record, arrivedAt, 3, cfg);
      events.push(...step.events);
      requests.push(...step.requests);
    },
    component: (id: string) => store.get(id) as ComponentDetectorState | undefined,
  };
}

/** Both components send every second for `from`..`to` seconds (the one in `skip` only until `stopAt`). */
function run(
  p: ReturnType<typeof partition>,
  from: number,
  to: number,
  senders: (second: number) => string[],
) {
  for (let s = from; s <= to; s++) for (const c of senders(s)) p.feed(sample(c, T0 + s * 1000));
}

describe('silence', () => {
  it('learns the interval as the median of the gaps, whatever their order and count', () => {
    const learnt = (gaps: number[]) =>
      expectedInterval(
        { ...emptyDetectorState('c'), silence: { heardAt: 0, gaps, silentSince: null } },
        config().silence,
      );
    expect(learnt([5000, 1000, 3000, 2000, 4000])).toBe(3000);
    expect(learnt([4000, 1000, 9000, 2000, 3000, 1000])).toBe(2500);
    expect(learnt([700, 700, 700, 100, 9000, 700, 700, 700, 800])).toBe(700);
    // Fewer gaps than `learnFrom` (5): nothing learnt yet.
    expect(learnt([1000, 1000, 1000, 1000])).toBeNull();
  });

  it('learns the interval from arrivals and opens a SILENT incident after N missed intervals', () => {
    const p = partition(config({ afterIntervals: 4 }));
    run(p, 0, 10, () => ['payments', 'checkout']);
    expect(expectedInterval(p.component('checkout')!, config().silence)).toBe(1000);
    // checkout stops; payments keeps the partition's clock moving.
    run(p, 11, 20, () => ['payments']);
    const silent = p.events.filter((e) => e.kind === 'SILENT');
    expect(silent[0]).toMatchObject({ component: 'checkout', severity: 'CRITICAL' });
    // Last heard at 10 s; 4 intervals of 1 s: silent at the first check at or after 14 s.
    expect(silent[0]?.detectedAt).toBe(T0 + 14_000);
    expect(p.events.some((e) => e.component === 'payments')).toBe(false);
    // Repeated every reemitEveryMs while it lasts, so the ladder can go from restart to page.
    expect(silent.map((e) => e.detectedAt - T0)).toEqual([14_000, 19_000]);
    expect(new Set(silent.map((e) => e.incidentId)).size).toBe(1);

    const diagnosis = diagnose(silent[0]!, silent[0]!.detectedAt);
    expect(diagnosis.kind).toBe('SILENT');
    expect(diagnosis.causes[0]).toMatchObject({ cause: 'crash-silence' });
    expect(diagnosis.causes[0]?.evidence.join(' ')).toContain(
      'no sample from the component for 4 s',
    );
  });

  it('uses the configured interval and the floor over a learnt one', () => {
    const p = partition(config({ intervals: { checkout: 3000 }, afterIntervals: 3 }));
    run(p, 0, 10, () => ['payments', 'checkout']);
    run(p, 11, 30, () => ['payments']);
    expect(p.events.find((e) => e.kind === 'SILENT')?.detectedAt).toBe(T0 + 19_000);

    const floored = partition(config({ minSilenceMs: 8000 }));
    run(floored, 0, 10, () => ['payments', 'checkout']);
    run(floored, 11, 30, () => ['payments']);
    expect(floored.events.find((e) => e.kind === 'SILENT')?.detectedAt).toBe(T0 + 18_000);
  });

  it("is not fooled by the scraper's up 0, and resolves once the component speaks again", () => {
    const p = partition();
    run(p, 0, 10, () => ['payments']);
    // The scraper still reports on payments: up 0 each second, nothing from payments itself.
    for (let s = 11; s <= 20; s++) {
      p.feed(sample('payments', T0 + s * 1000, 'up', 0));
      p.feed(sample('payments', T0 + s * 1000, 'scrape_duration_ms', 3));
    }
    expect(p.events.filter((e) => e.kind === 'SILENT').length).toBeGreaterThan(0);
    expect(p.events.some((e) => e.kind === 'RESOLVED')).toBe(false);
    const first = p.events.find((e) => e.kind === 'SILENT')!;
    // The rule's own strength (said calibrated, it is 0.99: calibration.ts).
    expect(diagnose(first, first.detectedAt, { calibration: null }).causes[0]).toMatchObject({
      cause: 'crash-silence',
      confidence: 0.95,
    });

    run(p, 21, 23, () => ['payments']);
    const resolved = p.events.find((e) => e.kind === 'RESOLVED');
    expect(resolved?.incidentId).toBe(first.incidentId);
    expect(p.component('payments')?.silence?.silentSince).toBeNull();
    // The silence taught nothing: the interval stays one second.
    expect(expectedInterval(p.component('payments')!, config().silence)).toBe(1000);
  });

  it('decides on arrival time, so a producer with a wrong clock is not silent', () => {
    const p = partition();
    for (let s = 0; s <= 20; s++) {
      p.feed(sample('payments', T0 + s * 1000), T0 + s * 1000);
      // Stamped an hour ago by its producer, arriving now.
      p.feed(sample('checkout', T0 - 3_600_000 + s * 1000), T0 + s * 1000);
    }
    expect(p.events.filter((e) => e.kind === 'SILENT')).toEqual([]);
  });

  it('a partition that hears nobody asks for one FLEET_SILENT page and restarts nothing', () => {
    const p = partition();
    run(p, 0, 10, () => ['payments', 'checkout', 'search']);
    // The producer died: only the detector's ticks move the clock.
    for (let s = 11; s <= 40; s++) p.feed(tick(T0 + s * 1000));
    expect(p.events.filter((e) => e.kind === 'SILENT')).toEqual([]);
    expect(p.requests).toHaveLength(1);
    expect(p.requests[0]).toMatchObject({
      source: 'FLEET_SILENT',
      status: 'TRIGGERED',
      incidentId: null,
      dedupKey: 'healstream/fleet-silent',
    });
    expect(p.requests[0]?.details).toContain('checkout');
    // The producer is back: the page resolves, nobody was found silent.
    run(p, 41, 44, () => ['payments', 'checkout', 'search']);
    expect(p.requests.map((r) => r.status)).toEqual(['TRIGGERED', 'RESOLVED']);
    expect(p.events).toEqual([]);
    // Then one of them stops: the partition hears the others, so that one is silent.
    run(p, 45, 50, () => ['payments', 'search']);
    expect(p.events.map((e) => [e.kind, e.component, e.detectedAt - T0])).toEqual([
      ['SILENT', 'checkout', 47_000],
    ]);
  });

  it('ticks alone move the clock of a partition with one component the scraper reports down', () => {
    const p = partition();
    run(p, 0, 10, () => ['payments']);
    p.feed(sample('payments', T0 + 11_000, 'up', 0));
    for (let s = 12; s <= 20; s++) p.feed(tick(T0 + s * 1000));
    // up 0 at 11 s: the partition heard the scraper, so it is payments that is silent (heard
    // last at 10 s, 3 intervals of 1 s), not the producer.
    const silent = p.events.filter((e) => e.kind === 'SILENT');
    expect(silent.map((e) => [e.component, e.detectedAt - T0])).toEqual([
      ['payments', 13_000],
      ['payments', 18_000],
    ]);
    expect(p.requests).toEqual([]);
  });

  it('producers stopping a second apart are one fleet silence, not a restart of the first', () => {
    const p = partition();
    run(p, 0, 10, () => ['payments', 'ledger']);
    // payments' producer dies at 10 s, ledger's a second later; then only ticks.
    p.feed(sample('ledger', T0 + 11_000));
    for (let s = 12; s <= 30; s++) p.feed(tick(T0 + s * 1000));
    expect(p.events.filter((e) => e.kind === 'SILENT')).toEqual([]);
    expect(p.requests.map((r) => [r.source, r.status])).toEqual([['FLEET_SILENT', 'TRIGGERED']]);
  });

  it('replays the same records into the same decisions', () => {
    const record = (i: number): [MetricSample, number] =>
      i % 7 === 3
        ? [tick(T0 + i * 700), T0 + i * 700]
        : [sample(i < 30 ? 'a' : 'b', T0 + i * 700), T0 + i * 700];
    const once = partition();
    const twice = partition();
    for (let i = 0; i < 80; i++) once.feed(...record(i));
    for (let i = 0; i < 80; i++) twice.feed(...record(i));
    expect(once.events.length).toBeGreaterThan(0);
    expect(twice.events).toEqual(once.events);
  });

  it('is off when disabled', () => {
    const p = partition(config({ enabled: false }));
    run(p, 0, 10, () => ['payments', 'checkout']);
    run(p, 11, 40, () => ['payments']);
    expect(p.events).toEqual([]);
  });
});
