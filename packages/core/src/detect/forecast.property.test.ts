import type { MetricSample } from '@healstream/contracts';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../simulate/run.js';
import { parsePolicies } from '../policy/parse.js';
import { resolveDetectorConfig } from './config.js';

const PREDICTIVE = parsePolicies(
  readFileSync(
    new URL('../../../../policies/examples/predictive-scale-up.yaml', import.meta.url),
    'utf8',
  ),
  'predictive-scale-up.yaml',
);
const T0 = Date.parse('2026-03-01T10:00:00Z');

/** A healthy CPU: a level well under 90 %, noise around it, scraped every few seconds. */
interface Healthy {
  level: number;
  noise: number;
  everyMs: number;
  scrapes: number;
  seed: number;
  /** Gaussian (Box–Muller) or uniform noise. */
  gaussian: boolean;
}

const anyHealthy: fc.Arbitrary<Healthy> = fc.record({
  level: fc.double({ min: 0.05, max: 0.85, noNaN: true }),
  noise: fc.double({ min: 0, max: 0.05, noNaN: true }),
  everyMs: fc.constantFrom(1000, 2000, 5000, 10_000, 15_000),
  scrapes: fc.integer({ min: 200, max: 2500 }),
  seed: fc.integer(),
  gaussian: fc.boolean(),
});

/** Close under the threshold and noisy, for hours: where the trend without its band crosses. */
const nearThreshold: fc.Arbitrary<Healthy> = fc.record({
  level: fc.double({ min: 0.8, max: 0.85, noNaN: true }),
  noise: fc.double({ min: 0.03, max: 0.05, noNaN: true }),
  everyMs: fc.constantFrom(5000, 10_000, 15_000),
  scrapes: fc.integer({ min: 1500, max: 2500 }),
  seed: fc.integer(),
  gaussian: fc.boolean(),
});

const healthyArb = fc.oneof(anyHealthy, nearThreshold);

function samplesOf(h: Healthy): MetricSample[] {
  let state = h.seed >>> 0 || 1;
  const rand = () => {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    return (state + 1) / 2 ** 32;
  };
  const noise = () =>
    h.gaussian
      ? Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand())
      : Math.sqrt(3) * (2 * rand() - 1);
  return Array.from({ length: h.scrapes }, (_, i) => ({
    component: 'search',
    metric: 'cpu_util',
    value: Math.min(1, Math.max(0, h.level + h.noise * noise())),
    timestamp: T0 + i * h.everyMs,
    labels: {},
  }));
}

describe('forecasts on healthy noise', () => {
  it('never open an incident and never fire the pre-emptive scale-up', () => {
    fc.assert(
      fc.property(healthyArb, fc.boolean(), (healthy, statistical) => {
        const samples = samplesOf(healthy);
        const { timeline } = runSimulation(
          { samples: samples.map((s, line) => ({ ...s, line })), outcomeRules: [], errors: [] },
          {
            policies: PREDICTIVE,
            detector: resolveDetectorConfig({ statistical: { enabled: statistical } }),
          },
        );
        // The statistical scorer may flag noise; the forecast itself never does, nor the policy.
        const forecasts = timeline.filter(
          (e) => e.kind === 'event' && e.event.anomalies.some((a) => a.detector === 'forecast'),
        );
        expect(forecasts).toEqual([]);
        expect(timeline.filter((e) => e.kind === 'command')).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});
