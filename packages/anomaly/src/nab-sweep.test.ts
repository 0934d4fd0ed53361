import { describe, expect, it } from 'vitest';
import {
  bestThreshold,
  OUTSIDE,
  PROBATION,
  probationaryLength,
  scaledSigmoid,
  scoreAtThreshold,
  scoresByThreshold,
  sweepFile,
} from './nab-sweep.js';

const standard = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
// 2·sigmoid(−5x) − 1 is tanh(−5x/2), which makes the expected values easy to write down.
const tp = (x: number) => Math.tanh((-5 * x) / 2) / Math.tanh(2.5);

describe('scaledSigmoid', () => {
  it('is +0.987 at a window start, 0 at its end, and −1 well after it', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.986614, 6);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.848284, 6);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.986614, 6);
    expect(scaledSigmoid(3.01)).toBe(-1);
  });
});

describe('probationaryLength', () => {
  it('is 15% of the rows, at most 750', () => {
    expect(probationaryLength(10)).toBe(1);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(15831)).toBe(750);
  });
});

// Ten rows at t = 0..9, one window over rows 5..7; row 0 is probationary (floor(1.5) = 1).
const timestamps = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const windows = [[5, 7]] as const;

describe('sweepFile', () => {
  it('weights rows by where a detection there would land', () => {
    const rows = sweepFile(timestamps, new Array<number>(10).fill(0), windows, standard);
    expect(rows.map((r) => r.window)).toEqual([
      PROBATION,
      OUTSIDE,
      OUTSIDE,
      OUTSIDE,
      OUTSIDE,
      0,
      0,
      0,
      OUTSIDE,
      OUTSIDE,
    ]);
    // Before any window a false positive costs the full fpWeight.
    expect(rows[1]!.sweepScore).toBeCloseTo(-0.11, 12);
    // Inside, position −(right − i + 1)/width: −1, −2/3, −1/3, scaled so the first row earns 1.
    expect(rows[5]!.sweepScore).toBeCloseTo(1, 12);
    expect(rows[6]!.sweepScore).toBeCloseTo(tp(-2 / 3), 12);
    expect(rows[7]!.sweepScore).toBeCloseTo(tp(-1 / 3), 12);
    // After, position (i − right)/(width − 1): 0.5 and 1.
    expect(rows[8]!.sweepScore).toBeCloseTo(-0.11 * Math.tanh(1.25), 12);
    expect(rows[9]!.sweepScore).toBeCloseTo(-0.11 * Math.tanh(2.5), 12);
  });
});

describe('scoresByThreshold', () => {
  // The detector fires late in the window (row 6, 0.9) and once after it (row 9, 0.95).
  const scores = [1, 0, 0, 0, 0, 0, 0.9, 0, 0, 0.95];
  const rows = sweepFile(timestamps, scores, windows, standard);
  const byThreshold = scoresByThreshold(rows, standard);

  it('scores every distinct threshold, starting from detecting nothing', () => {
    expect(byThreshold.map((s) => s.threshold)).toEqual([1.1, 0.95, 0.9, 0]);
    expect(byThreshold[0]!.score).toBe(-1);
    expect(byThreshold[1]!.score).toBeCloseTo(-1 - 0.11 * Math.tanh(2.5), 12);
    expect(byThreshold[2]!.score).toBeCloseTo(tp(-2 / 3) - 0.11 * Math.tanh(2.5), 12);
    // Everything detected: the window counts its earliest row (1), all six outside rows cost.
    const fp = -0.11 * (4 + Math.tanh(1.25) + Math.tanh(2.5));
    expect(byThreshold[3]!.score).toBeCloseTo(1 + fp, 12);
    expect(byThreshold[3]).toMatchObject({ tp: 3, fp: 6, tn: 0, fn: 0 });
  });

  it('ignores the probationary period, even a perfect score there', () => {
    expect(byThreshold.some((s) => s.threshold === 1)).toBe(false);
  });

  it('picks the best threshold and agrees with scoring at that threshold', () => {
    const best = bestThreshold(byThreshold);
    expect(best.threshold).toBe(0.9);
    for (const s of byThreshold)
      expect(scoreAtThreshold(rows, standard, s.threshold)).toBeCloseTo(s.score, 12);
  });

  it('counts a window with no detection as one false negative, whatever its length', () => {
    const lowFn = { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 };
    const none = sweepFile(timestamps, new Array<number>(10).fill(0), windows, lowFn);
    expect(scoreAtThreshold(none, lowFn, 0.5)).toBe(-2);
  });
});
