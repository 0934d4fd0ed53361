import type { Escalation, MetricSample, ReliabilityEvent } from '@healstream/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveDetectorConfig } from './config.js';
import { CLOCK_KEY, detectRecord, forgetCheckBound, type DetectorEntry } from './partition.js';
import { TICK_COMPONENT, TICK_METRIC } from './silence.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');

const config = resolveDetectorConfig({
  statistical: { enabled: false },
  thresholds: [{ metric: 'error_rate', operator: 'gt', value: 0.5, severity: 'CRITICAL' }],
  resolveAfterSamples: 2,
  reemitEveryMs: 5000,
  silence: { minSilenceMs: 2000, forgetAfterMs: 90_000, afterIntervals: 3 },
});

/** One partition's store; `bounded: false` never lets a check bound survive (every check walks). */
function partition(bounded: boolean) {
  const store = new Map<string, DetectorEntry>();
  const withoutBound = (entry: DetectorEntry | undefined) => {
    if (!entry || !('lastCheck' in entry)) return entry;
    const { quietUntil: _, ...clock } = entry;
    return clock;
  };
  const unbounded = (entry: DetectorEntry | undefined) => (bounded ? entry : withoutBound(entry));
  const kv = {
    get: (k: string) => unbounded(store.get(k)),
    set: (k: string, v: DetectorEntry) => void store.set(k, v),
    delete: (k: string) => void store.delete(k),
    keys: () => [...store.keys()],
    values: () => {
      out.walks++;
      return [...store.values()].map((v) => unbounded(v) as DetectorEntry);
    },
  };
  const out = { events: [] as ReliabilityEvent[], requests: [] as Escalation[], walks: 0 };
  return {
    out,
    store,
    feed(sample: MetricSample, arrivedAt: number) {
      const step = detectRecord(kv, sample, arrivedAt, 0, config);
      out.events.push(...step.events);
      out.requests.push(...step.requests);
    },
    /** The components' states, the clock without its bound. */
    states: () => [...store.entries()].map(([k, v]) => [k, withoutBound(v)] as const),
  };
}

/** A fleet's records: each component sends at its own interval and stops, resumes or fails. */
const fleet = fc
  .array(
    fc.record({
      intervalMs: fc.integer({ min: 300, max: 15_000 }),
      jitterMs: fc.integer({ min: 0, max: 400 }),
      stopAt: fc.integer({ min: 0, max: 240_000 }),
      resumeAfter: fc.option(fc.integer({ min: 1000, max: 120_000 })),
      failAt: fc.option(fc.integer({ min: 0, max: 240_000 })),
      // A scraper's `up 0` while the component is stopped (the component is reported down).
      scraped: fc.boolean(),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .chain((components) =>
    fc.record({
      components: fc.constant(components),
      // Stretches where nobody sends at all (a fleet silence), as [from, length] in ms.
      gaps: fc.array(
        fc.tuple(fc.integer({ min: 0, max: 240_000 }), fc.integer({ min: 0, max: 60_000 })),
        { maxLength: 2 },
      ),
      ticksEveryMs: fc.option(fc.integer({ min: 500, max: 5000 })),
    }),
  );

type Fleet = typeof fleet extends fc.Arbitrary<infer T> ? T : never;

function recordsOf(f: Fleet) {
  const records: { sample: MetricSample; at: number }[] = [];
  const quiet = (t: number) => f.gaps.some(([from, len]) => t >= from && t < from + len);
  f.components.forEach((c, i) => {
    const id = `svc-${i}`;
    for (let t = (i * 137) % c.intervalMs, k = 0; t < 300_000; t += c.intervalMs, k++) {
      const resumed = c.resumeAfter !== null && t >= c.stopAt + c.resumeAfter;
      const stopped = t >= c.stopAt && !resumed;
      const at = t + ((k * 7919) % (c.jitterMs + 1));
      if (quiet(at)) continue;
      const sample = (metric: string, value: number): MetricSample => ({
        component: id,
        metric,
        value,
        timestamp: T0 + t,
        labels: {},
      });
      if (stopped) {
        if (c.scraped) records.push({ sample: sample('up', 0), at: T0 + at });
        continue;
      }
      const failing = c.failAt !== null && t >= c.failAt && t < c.failAt + 20_000;
      records.push({ sample: sample('error_rate', failing ? 0.9 : 0.01), at: T0 + at });
    }
  });
  if (f.ticksEveryMs !== null)
    for (let t = 0; t < 300_000; t += f.ticksEveryMs)
      records.push({
        sample: {
          component: TICK_COMPONENT,
          metric: TICK_METRIC,
          value: 0,
          timestamp: T0 + t,
          labels: {},
        },
        at: T0 + t,
      });
  return records.sort((a, b) => a.at - b.at);
}

describe('the silence check bound', () => {
  it('skips only checks that would find nothing: the same events, pages and states as checking every second', () => {
    fc.assert(
      fc.property(fleet, (f) => {
        const bounded = partition(true);
        const every = partition(false);
        for (const { sample, at } of recordsOf(f)) {
          bounded.feed(sample, at);
          every.feed(sample, at);
        }
        expect(bounded.out.events).toEqual(every.out.events);
        expect(bounded.out.requests).toEqual(every.out.requests);
        expect(bounded.states()).toEqual(every.states());
      }),
      { numRuns: 150 },
    );
  });

  it('is kept between records, so most checks of a steady fleet look at no component', () => {
    const bounded = partition(true);
    const every = partition(false);
    // Ten components, each heard every second (silent after the 2 s floor), for 120 s: a check
    // at every second of partition time.
    for (let t = 0; t < 120_000; t += 100) {
      const sample: MetricSample = {
        component: `svc-${(t / 100) % 10}`,
        metric: 'error_rate',
        value: 0.01,
        timestamp: T0 + t,
        labels: {},
      };
      bounded.feed(sample, T0 + t);
      every.feed(sample, T0 + t);
    }
    expect(every.out.walks).toBeGreaterThanOrEqual(119);
    expect(bounded.out.walks).toBeLessThan(every.out.walks / 2);
    expect(bounded.out.events).toEqual([]);
  });

  it('is forgotten on restore, so settings changed since it was written apply at the next check', () => {
    const entries = new Map<string, DetectorEntry>([
      [
        CLOCK_KEY,
        { clock: T0, lastRecordAt: T0, lastCheck: 0, fleetSince: null, quietUntil: T0 + 60_000 },
      ],
    ]);
    forgetCheckBound({ get: (k) => entries.get(k), load: (k, v) => void entries.set(k, v) });
    expect(entries.get(CLOCK_KEY)).toEqual({
      clock: T0,
      lastRecordAt: T0,
      lastCheck: 0,
      fleetSince: null,
    });
  });
});
