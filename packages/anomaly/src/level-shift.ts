import { ringAt, ringFill, ringLength, ringPush, ringSize, ringValues } from './ring.js';

/**
 * A windowed test for a change of level: the mean of the last few samples against the
 * long-run level, in the long-run standard deviations. One outlier moves a mean of ten by a
 * tenth of its size; a level shift, a fast drift or a change of shape that holds the series
 * away from its usual level (a flatline off the mean, a period that no longer averages out)
 * moves it all the way. The per-sample likelihood averages raw scores that saturate at a few
 * standard deviations, so it cannot tell a shift of four from one of forty; this can.
 *
 * The score is graded on the same [0, 1] scale as the likelihood (a tenth per standard
 * deviation), so the consumer's threshold decides how large a shift counts; below three
 * standard deviations it says nothing.
 *
 * Kept in a scorer's array of numbers (ring.ts, `slots`) from `at`: the window of the last samples (ring.ts).
 */
export interface ShiftState {
  /** The last samples, oldest first (at most `SHIFT_WINDOW`). */
  recent: number[];
}

export const SHIFT_WINDOW = 10;
export const SHIFT_SIZE = ringSize(SHIFT_WINDOW);
/** Shifts smaller than this (in standard deviations of the long-run level) score 0. */
const SHIFT_MIN = 3;
/** Score per standard deviation of shift: 0.3 at the smallest shift counted, 1 from ten on. */
const SHIFT_SCALE = 0.1;

export function shiftInto(b: number[], at: number, s: ShiftState): void {
  ringFill(b, at, SHIFT_WINDOW, s.recent);
}

export function shiftOf(b: number[], at: number): ShiftState {
  return { recent: ringValues(b, at, SHIFT_WINDOW) };
}

/**
 * Folds in `x` and scores the mean of the window it completes against `level` (the long-run
 * level before `x`) in units of `spread` (its standard deviation, > 0). 0 until the window fills.
 */
export function shiftUpdate(
  b: number[],
  at: number,
  x: number,
  level: number,
  spread: number,
): number {
  ringPush(b, at, SHIFT_WINDOW, x);
  if (ringLength(b, at) < SHIFT_WINDOW) return 0;
  let sum = 0;
  for (let k = 0; k < SHIFT_WINDOW; k++) sum += ringAt(b, at, SHIFT_WINDOW, k);
  const z = Math.abs(sum / SHIFT_WINDOW - level) / spread;
  return z > SHIFT_MIN ? Math.min(1, z * SHIFT_SCALE) : 0;
}
