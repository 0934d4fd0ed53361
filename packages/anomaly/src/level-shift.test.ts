import { describe, expect, it } from 'vitest';
import { SHIFT_SIZE, SHIFT_WINDOW, shiftOf, shiftUpdate } from './level-shift.js';
import { slots } from './ring.js';
import { createScorer } from './scorer.js';

const FIVE_MINUTES = 300_000;
const T0 = Date.UTC(2026, 0, 1);

describe('shiftUpdate', () => {
  const feed = (values: number[]) => {
    const s = slots(SHIFT_SIZE);
    return values.map((x) => shiftUpdate(s, 0, x, 0, 1));
  };

  it('says nothing until its window is full', () => {
    const scores = feed(new Array<number>(SHIFT_WINDOW).fill(8));
    expect(scores.slice(0, -1).every((v) => v === 0)).toBe(true);
    expect(scores.at(-1)).toBeCloseTo(0.8);
  });

  it('grades a held shift a tenth per standard deviation, up to 1', () => {
    expect(feed(new Array<number>(SHIFT_WINDOW).fill(5)).at(-1)).toBeCloseTo(0.5);
    expect(feed(new Array<number>(SHIFT_WINDOW).fill(-5)).at(-1)).toBeCloseTo(0.5);
    expect(feed(new Array<number>(SHIFT_WINDOW).fill(40)).at(-1)).toBe(1);
  });

  it('ignores shifts under three standard deviations and a single outlier', () => {
    expect(feed(new Array<number>(SHIFT_WINDOW).fill(2.9)).at(-1)).toBe(0);
    const outlier = new Array<number>(SHIFT_WINDOW).fill(0);
    outlier[SHIFT_WINDOW - 1] = 25;
    expect(feed(outlier).at(-1)).toBe(0);
  });

  it('keeps only its window', () => {
    const s = slots(SHIFT_SIZE);
    for (let i = 0; i < 100; i++) shiftUpdate(s, 0, i, 0, 1);
    // The last SHIFT_WINDOW samples, oldest first.
    expect(shiftOf(s, 0).recent).toEqual(
      Array.from({ length: SHIFT_WINDOW }, (_, k) => 100 - SHIFT_WINDOW + k),
    );
  });
});

describe('the scorer with the level-shift test', () => {
  /** Uniform noise (sd 1.7) whose range was stretched early by two outliers, shifted up by 12 from `at`. */
  function shifted(n: number, at: number): number[] {
    let x = 7919;
    const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    return Array.from({ length: n }, (_, i) => {
      const outlier = i === 300 ? 70 : i === 400 ? -30 : 0;
      return 50 + 6 * (rand() - 0.5) + (i >= at ? 12 : 0) + outlier;
    });
  }

  it('scores a shift that stays inside the range seen above every quiet sample', () => {
    const scorer = createScorer();
    const scores = shifted(2700, 2600).map((v, i) => scorer.update(v, T0 + i * FIVE_MINUTES).score);
    const quiet = Math.max(...scores.slice(1000, 2600));
    const shift = Math.max(...scores.slice(2600));
    // The likelihood alone tops out near the quiet stretch's own maximum here.
    expect(shift).toBeGreaterThan(quiet + 0.05);
    expect(shift).toBeGreaterThan(0.4);
  });

  it('continues a state saved before the test existed, its window filling afresh', () => {
    const scorer = createScorer();
    shifted(500, 10_000).forEach((v, i) => scorer.update(v, T0 + i * FIVE_MINUTES));
    const { shift: _dropped, ...old } = scorer.state() as Record<string, unknown>;
    const restored = createScorer({}, old as ReturnType<typeof scorer.state>);
    expect(restored.update(50, T0 + 500 * FIVE_MINUTES).warm).toBe(true);
    expect((restored.state() as unknown as { shift: { recent: number[] } }).shift.recent).toEqual([
      50,
    ]);
  });
});
