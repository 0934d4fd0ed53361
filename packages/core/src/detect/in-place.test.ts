import { createScorer } from '@healstream/anomaly';
import type { MetricSample, ReliabilityEvent } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { resolveDetectorConfig } from './config.js';
import { detect, detectInPlace } from './detect.js';
import { CLOCK_KEY, detectRecord, type DetectorEntry, type DetectorStore } from './partition.js';
import { emptyDetectorState, type ComponentDetectorState } from './state.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const config = resolveDetectorConfig({ statistical: { warmupSamples: 20 } });

/** Two metrics of one component, a spike from sample 300 to 320 and a deploy at 400. */
function series(count: number): MetricSample[] {
  return Array.from({ length: count }, (_, i) => ({
    component: 'payments',
    metric: i % 2 === 0 ? 'latency_p99' : 'error_rate',
    value: i % 2 === 0 ? (i >= 300 && i < 320 ? 900 : 100) + (i % 7) : 0.01 + (i % 5) / 1000,
    timestamp: T0 + i * 5_000,
    labels: { version: i < 400 ? 'v1' : 'v2' },
  }));
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('detectInPlace', () => {
  it('decides exactly as detect() does, state and events alike', () => {
    let pure: ComponentDetectorState | null = null;
    const pureEvents: ReliabilityEvent[] = [];
    const owned = emptyDetectorState('payments');
    const ownedEvents: ReliabilityEvent[] = [];
    for (const s of series(600)) {
      const result = detect(pure, s, config);
      pure = result.state;
      pureEvents.push(...result.events);
      ownedEvents.push(...detectInPlace(owned, s, config));
      expect(json(owned)).toEqual(json(pure));
    }
    expect(pureEvents.length).toBeGreaterThan(0);
    expect(json(ownedEvents)).toEqual(json(pureEvents));
  });

  it('updates the state it is given, the scorer state included, without copying it', () => {
    const state = emptyDetectorState('payments');
    const [first, second] = series(3).filter((s) => s.metric === 'latency_p99');
    detectInPlace(state, first as MetricSample, config);
    const scorer = state.metrics['latency_p99']?.scorer;
    const reading = state.metrics['latency_p99'];
    detectInPlace(state, second as MetricSample, config);
    expect(state.metrics['latency_p99']).toBe(reading);
    expect(state.metrics['latency_p99']?.scorer).toBe(scorer);
    expect((JSON.parse(JSON.stringify(scorer)) as { n: number }).n).toBe(2);
  });

  it('leaves detect()’s input untouched, though the scorer changes states in place', () => {
    let state = detect(null, series(1)[0] as MetricSample, config, createScorer).state;
    for (const s of series(200)) {
      const before = json(state);
      const next = detect(state, s, config).state;
      expect(json(state)).toEqual(before);
      state = next;
    }
  });

  it('changes the entry a store hands out to edit, and copies the entries of one that does not', () => {
    const entries = new Map<string, DetectorEntry>();
    const edited: string[] = [];
    const plain: DetectorStore = {
      get: (k) => entries.get(k),
      set: (k, v) => entries.set(k, v),
      delete: (k) => entries.delete(k),
      keys: () => [...entries.keys()],
    };
    const editable: DetectorStore = {
      ...plain,
      edit: (k) => {
        edited.push(k);
        return entries.get(k);
      },
    };
    const [a, b, c] = series(5).filter((s) => s.metric === 'latency_p99');
    detectRecord(plain, a as MetricSample, T0, 0, config);
    const first = entries.get('payments');
    const firstClock = entries.get(CLOCK_KEY);
    const firstClockSeen = json(firstClock);
    detectRecord(plain, b as MetricSample, T0 + 5_000, 0, config);
    expect(entries.get('payments')).not.toBe(first);
    // The partition's clock too: a new one in the store, the one before left as it was.
    expect(entries.get(CLOCK_KEY)).not.toBe(firstClock);
    expect(json(firstClock)).toEqual(firstClockSeen);
    expect(json(entries.get(CLOCK_KEY))).toMatchObject({ clock: T0 + 5_000 });
    const second = entries.get('payments');
    const step = detectRecord(editable, c as MetricSample, T0 + 10_000, 0, config);
    expect(edited).toEqual(expect.arrayContaining(['payments', CLOCK_KEY]));
    expect(entries.get('payments')).toBe(second);
    expect(step.component).toBe(second);
    expect(json(entries.get(CLOCK_KEY))).toMatchObject({
      clock: T0 + 10_000,
      lastRecordAt: T0 + 10_000,
    });
  });
});
