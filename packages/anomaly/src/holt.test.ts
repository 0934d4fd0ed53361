import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HOLT_OPTIONS,
  emptyHoltState,
  holtCrossing,
  holtForecast,
  holtUpdate,
  type HoltState,
} from './holt.js';

const T0 = Date.UTC(2026, 11, 1);

/** Deterministic Gaussian noise (Box–Muller over a small LCG). */
function gaussian(seed: number) {
  let s = seed >>> 0 || 1;
  const u = () => {
    s = (s * 1_103_515_245 + 12_345) >>> 0;
    return (s + 1) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function feed(values: (t: number) => number, seconds: number, everyMs = 1000): HoltState {
  let s = emptyHoltState();
  for (let ms = 0; ms <= seconds * 1000; ms += everyMs)
    s = holtUpdate(s, values(ms / 1000), T0 + ms);
  return s;
}

describe('Holt linear trend', () => {
  it('forecasts a linear ramp five minutes ahead within 1 %, inside its band', () => {
    const ramp = (t: number) => 0.3 + 0.001 * t;
    const s = feed(ramp, 600);
    // The last folded step is the one ending at 600 s (samples 590..599 s, mean 594.5 s).
    const at = 594.5 + 300;
    const f = holtForecast(s, 300_000);
    expect(f).not.toBeNull();
    expect(Math.abs((f?.value ?? 0) - ramp(at)) / ramp(at)).toBeLessThan(0.01);
    expect(f?.lower).toBeLessThanOrEqual(ramp(at));
    expect(f?.upper).toBeGreaterThanOrEqual(ramp(at));
  });

  it('follows a noisy ramp within 5 % and predicts its crossing before it happens', () => {
    const noise = gaussian(7);
    const ramp = (t: number) => 0.4 + 0.0012 * t;
    const s = feed((t) => ramp(t) + 0.01 * noise(), 240);
    const f = holtForecast(s, 300_000);
    expect(Math.abs((f?.value ?? 0) - ramp(234.5 + 300)) / ramp(534.5)).toBeLessThan(0.05);
    // The ramp is at 0.69 now and reaches 0.9 at 417 s: the crossing is predicted ahead.
    const at = holtCrossing(s, 'above', 0.9, 300_000);
    expect(at).not.toBeNull();
    expect(at).toBeLessThanOrEqual(300_000);
  });

  it('never predicts a crossing of a flat noisy series, over hours', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const noise = gaussian(seed);
      let s = emptyHoltState();
      let crossings = 0;
      for (let i = 0; i < 4 * 3600; i++) {
        const steps = s.steps;
        s = holtUpdate(s, 0.6 + 0.05 * noise(), T0 + i * 1000);
        // The forecast changes only when a step is folded in.
        if (s.steps === steps) continue;
        if (holtCrossing(s, 'above', 0.9, 300_000) !== null) crossings++;
        if (holtCrossing(s, 'below', 0.3, 300_000) !== null) crossings++;
      }
      expect(crossings).toBe(0);
    }
  });

  it('says nothing while warming up, and its state survives JSON', () => {
    let s = emptyHoltState();
    for (let i = 0; i < 100; i++) {
      s = holtUpdate(s, i, T0 + i * 1000);
      if (s.steps < DEFAULT_HOLT_OPTIONS.warmupSteps) expect(holtForecast(s, 60_000)).toBeNull();
    }
    expect(s.steps).toBeLessThan(DEFAULT_HOLT_OPTIONS.warmupSteps);
    const a = feed((t) => Math.sin(t / 50), 900);
    const b = JSON.parse(JSON.stringify(a)) as HoltState;
    expect(holtUpdate(b, 1, T0 + 901_000)).toEqual(holtUpdate(a, 1, T0 + 901_000));
  });

  it('widens its band with the horizon and with the noise', () => {
    const quiet = gaussian(3);
    const loud = gaussian(3);
    const a = feed(() => 0.5 + 0.005 * quiet(), 600);
    const b = feed(() => 0.5 + 0.05 * loud(), 600);
    const width = (s: HoltState, ms: number) => {
      const f = holtForecast(s, ms);
      return (f?.upper ?? 0) - (f?.lower ?? 0);
    };
    expect(width(a, 300_000)).toBeGreaterThan(width(a, 60_000));
    expect(width(b, 300_000)).toBeGreaterThan(width(a, 300_000) * 5);
  });
});
