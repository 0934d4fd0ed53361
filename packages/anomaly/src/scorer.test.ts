import { describe, expect, it } from 'vitest';
import { createScorer, SCORER_STATE_VERSION, scoreInto } from './scorer.js';
import type { ScorerState, SeriesScore } from './types.js';

const FIVE_MINUTES = 300_000;
const T0 = Date.UTC(2026, 0, 1);

/** A daily cycle with noise from a fixed-seed generator, so every run sees the same series. */
function series(n: number, seed = 7): number[] {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from(
    { length: n },
    (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + 2 * (rand() - 0.5),
  );
}

function run(values: number[], warmupSamples?: number) {
  const scorer = createScorer(warmupSamples === undefined ? {} : { warmupSamples });
  return values.map((v, i) => scorer.update(v, T0 + i * FIVE_MINUTES));
}

describe('createScorer', () => {
  it('is not warm and scores 0 during warm-up', () => {
    const out = run(series(200), 100);
    expect(out.slice(0, 100).every((r) => !r.warm && r.score === 0)).toBe(true);
    expect(out.slice(100).every((r) => r.warm)).toBe(true);
  });

  it('keeps scores in [0, 1] and the baseline near the level', () => {
    const values = series(3000);
    values[2000] = 1e9;
    values[2500] = -1e9;
    const out = run(values);
    expect(out.every((r) => r.score >= 0 && r.score <= 1)).toBe(true);
    expect(Math.abs(out[1999]!.baseline - 50)).toBeLessThan(10);
  });

  it('scores a spike far above the ordinary samples around it', () => {
    const values = series(3000);
    values[2600] = 90;
    const out = run(values);
    expect(out[2600]!.score).toBeGreaterThan(0.9);
    const quiet = out.slice(1500, 2590).map((r) => r.score);
    expect(quiet.filter((s) => s > 0.5).length).toBeLessThan(5);
  });

  it('raises one alarm for a lasting shift, not one per sample', () => {
    const values = series(3000).map((v, i) => (i >= 2600 ? v + 40 : v));
    const alarms = run(values)
      .slice(2600, 2700)
      .filter((r) => r.score > 0.5);
    expect(alarms.length).toBeGreaterThanOrEqual(1);
    expect(alarms.length).toBeLessThanOrEqual(3);
  });

  it('gives the score before its one-alarm gate as `ungated`, for a consumer that tracks duration', () => {
    const values = series(3000).map((v, i) => (i >= 2600 ? v + 2 * (i - 2599) : v));
    const out = run(values).slice(2600, 2630);
    // Where the gate passes a score the two agree; where it silences one, ungated still tells.
    expect(out.every((r) => r.score === 0 || r.score === r.ungated)).toBe(true);
    const silenced = out.filter((r) => r.score === 0 && (r.ungated ?? 0) >= 0.95);
    expect(silenced.length).toBeGreaterThanOrEqual(3);
  });

  it('restored mid-stream from JSON, continues with identical scores', () => {
    const values = series(4000);
    values[3000] = 85;
    const whole = run(values);
    const first = createScorer();
    values.slice(0, 1700).forEach((v, i) => first.update(v, T0 + i * FIVE_MINUTES));
    const saved = JSON.parse(JSON.stringify(first.state())) as ReturnType<typeof first.state>;
    const second = createScorer({}, saved);
    const rest = values.slice(1700).map((v, i) => second.update(v, T0 + (1700 + i) * FIVE_MINUTES));
    expect(rest).toEqual(whole.slice(1700));
  });

  it('keeps its state the same size however long it runs', () => {
    const scorer = createScorer();
    const values = series(60_000);
    const size = (n: number) => {
      for (let i = n - 10_000; i < n; i++) scorer.update(values[i]!, T0 + i * FIVE_MINUTES);
      return JSON.stringify(scorer.state()).length;
    };
    const early = size(10_000);
    const late = size(60_000);
    expect(scorer.state().version).toBe(SCORER_STATE_VERSION);
    expect(late).toBeLessThan(early * 1.1);
    expect(late).toBeLessThan(8_000);
  });

  it('does not share state with the state it was restored from, or the copy it hands out', () => {
    const a = createScorer();
    series(500).forEach((v, i) => a.update(v, T0 + i * FIVE_MINUTES));
    const saved = a.state();
    const b = createScorer({}, saved);
    b.update(1e6, T0 + 500 * FIVE_MINUTES);
    expect(a.state()).toEqual(saved);
  });

  it('releases its own state, without a copy, leaving the state it was restored from alone', () => {
    const a = createScorer();
    series(500).forEach((v, i) => a.update(v, T0 + i * FIVE_MINUTES));
    const saved = a.state();
    const untouched = JSON.stringify(saved);
    const b = createScorer({}, saved);
    const c = createScorer({}, saved);
    b.update(1e6, T0 + 500 * FIVE_MINUTES);
    c.update(1e6, T0 + 500 * FIVE_MINUTES);
    const released = b.release?.();
    // Released in its working form, which serialises to the saved form.
    const savedForm = (state: unknown) => JSON.parse(JSON.stringify(state)) as unknown;
    expect(savedForm(released)).toEqual(c.state());
    expect(JSON.stringify(saved)).toBe(untouched);
    // Released means handed over: the scorer no longer steps it.
    expect(() => b.update(1, T0 + 501 * FIVE_MINUTES)).toThrow(/released/);
    expect(savedForm(released)).toEqual(c.state());
  });

  it('continues from a released state as from its saved form, in place or on a copy', () => {
    const values = series(900);
    const whole = createScorer();
    const wholeScores = values.map((v, i) => whole.update(v, T0 + i * FIVE_MINUTES).score);
    const first = createScorer({ inPlace: true });
    values.slice(0, 600).forEach((v, i) => first.update(v, T0 + i * FIVE_MINUTES));
    const released = first.release?.() as ReturnType<typeof first.state>;
    const copied = createScorer({}, released);
    const inPlace = createScorer({ inPlace: true }, released);
    const rest = values.slice(600);
    const copiedScores = rest.map((v, i) => copied.update(v, T0 + (600 + i) * FIVE_MINUTES).score);
    // The copy left the released state alone: in place it continues from sample 600 too.
    const inPlaceScores = rest.map(
      (v, i) => inPlace.update(v, T0 + (600 + i) * FIVE_MINUTES).score,
    );
    expect(copiedScores).toEqual(wholeScores.slice(600));
    expect(inPlaceScores).toEqual(wholeScores.slice(600));
    // In place, the state handed back is the one handed in, now stepped.
    expect(inPlace.release?.()).toBe(released);
    expect(JSON.parse(JSON.stringify(released))).toEqual(whole.state());
  });

  it('ignores non-finite values', () => {
    const scorer = createScorer();
    series(300).forEach((v, i) => scorer.update(v, T0 + i * FIVE_MINUTES));
    const before = scorer.state();
    expect(scorer.update(Number.NaN, T0).score).toBe(0);
    expect(scorer.state()).toEqual(before);
  });

  it('refuses state from another version', () => {
    expect(() => createScorer({}, { version: 999 })).toThrow(/version/);
  });
});

describe('scoreInto', () => {
  it('scores exactly as a scorer made and released per sample, into one result', () => {
    const values = series(3000);
    values[1000] = Number.NaN;
    values[2000] = 95;
    values[2500] = Number.POSITIVE_INFINITY;
    const options = { warmupSamples: 100, inPlace: true };
    const out: SeriesScore = { score: 0, baseline: 0, warm: false };
    let fast: ScorerState | undefined;
    let slow: ScorerState | undefined;
    for (const [i, v] of values.entries()) {
      const t = T0 + i * FIVE_MINUTES;
      const scorer = createScorer(options, slow);
      const expected = scorer.update(v, t);
      slow = scorer.release?.();
      fast = scoreInto(options, fast, v, t, out);
      // Fields the sample has no value for read undefined, as the scorer leaves them out.
      expect({ ...out }, `sample ${i}`).toEqual(expected);
    }
    expect(JSON.parse(JSON.stringify(fast))).toEqual(JSON.parse(JSON.stringify(slow)));
  });

  it('updates a released state where it is and packs a saved one once', () => {
    const out: SeriesScore = { score: 0, baseline: 0, warm: false };
    const first = scoreInto({}, undefined, 1, T0, out);
    expect(scoreInto({}, first, 2, T0 + FIVE_MINUTES, out)).toBe(first);
    const saved = JSON.parse(JSON.stringify(first)) as ScorerState;
    const restored = scoreInto({}, saved, 3, T0 + 2 * FIVE_MINUTES, out);
    expect(restored).not.toBe(saved);
    expect(scoreInto({}, restored, 4, T0 + 3 * FIVE_MINUTES, out)).toBe(restored);
    expect(saved).toEqual(JSON.parse(JSON.stringify(first)));
  });
});
