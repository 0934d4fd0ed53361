import type { MetricSample } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { resolveDetectorConfig, type DetectorConfigInput } from './config.js';
import { detectRecord, type DetectorEntry } from './partition.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const FORGET = 60_000;

const config = (silence: NonNullable<DetectorConfigInput['silence']> = {}) =>
  resolveDetectorConfig({
    statistical: { enabled: false },
    silence: { minSilenceMs: 2000, forgetAfterMs: FORGET, ...silence },
  });

const sample = (component: string, at: number, metric = 'latency_p99', value = 50) =>
  ({ component, metric, value, timestamp: at, labels: {} }) satisfies MetricSample;

/** A detector partition over a Map, fed `payments` every second and `checkout` until `stop` s. */
function partition(cfg: ReturnType<typeof config>, checkout: (at: number) => MetricSample) {
  const store = new Map<string, DetectorEntry>();
  const kv = {
    get: (k: string) => store.get(k),
    set: (k: string, v: DetectorEntry) => void store.set(k, v),
    delete: (k: string) => void store.delete(k),
    keys: () => [...store.keys()],
  };
  const feed = (s: MetricSample) => detectRecord(kv, s, s.timestamp, 0, cfg);
  return {
    store,
    run(seconds: number, stop: number) {
      for (let s = 0; s <= seconds; s++) {
        const at = T0 + s * 1000;
        feed(sample('payments', at));
        if (s <= stop) feed(checkout(at));
      }
    },
  };
}

describe("a component's detector state", () => {
  it('is forgotten forgetAfterMs after it was last heard, once its silence was reported', () => {
    const p = partition(config(), (at) => sample('checkout', at));
    p.run(10 + FORGET / 1000 - 1, 10);
    expect(p.store.has('checkout')).toBe(true);
    p.run(10 + FORGET / 1000, 10);
    expect(p.store.has('checkout')).toBe(false);
    expect(p.store.has('payments')).toBe(true);
  });

  it('is forgotten once idle also with silence detection off', () => {
    const p = partition(config({ enabled: false }), (at) => sample('checkout', at));
    p.run(10 + FORGET / 1000 - 1, 10);
    expect(p.store.has('checkout')).toBe(true);
    p.run(10 + FORGET / 1000 + 1, 10);
    expect(p.store.has('checkout')).toBe(false);
    expect(p.store.has('payments')).toBe(true);
  });

  it('is forgotten once idle when only a scraper ever spoke for it (up 0, never heard)', () => {
    const p = partition(config(), (at) => sample('checkout', at, 'up', 0));
    p.run(5, 5);
    expect(p.store.has('checkout')).toBe(true);
    p.run(5 + FORGET / 1000 + 1, 5);
    expect(p.store.has('checkout')).toBe(false);
  });
});
