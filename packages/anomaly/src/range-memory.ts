import { ringAt, ringFill, ringLength, ringPush, ringSize, ringValues } from './ring.js';

/**
 * The range of the recent past, for the outright alarm on a value well beyond it: the lowest
 * and highest value of each of the last few blocks of samples, plus the block being filled.
 * A range kept forever goes deaf after one early extreme (every later incident inside it is
 * left to the slower tests) and one kept short alarms on every return of an ordinary daily or
 * weekly extreme; blocks forget in whole blocks, so the memory is a number of samples (between
 * `(RANGE_BLOCKS - 1) · RANGE_BLOCK` and `RANGE_BLOCKS · RANGE_BLOCK`: about four weeks of
 * 5-minute samples), not a per-sample decay, and the state stays constant-size.
 *
 * Kept in a scorer's array of numbers (ring.ts, `slots`) from `at`: the block being filled (its low, high and samples), then
 * the completed blocks' lows and highs, each a window of `RANGE_BLOCKS` (ring.ts).
 */
export interface RangeState {
  /** Lowest and highest value of each completed block, oldest first (at most `RANGE_BLOCKS`). */
  lows: number[];
  highs: number[];
  /** Lowest and highest value of the block being filled (meaningless while `filled` is 0). */
  low: number;
  high: number;
  /** Samples in the block being filled. */
  filled: number;
}

export const RANGE_BLOCK = 1000;
export const RANGE_BLOCKS = 8;
const LOW = 0;
const HIGH = 1;
const FILLED = 2;
const LOWS = 3;
const HIGHS = LOWS + ringSize(RANGE_BLOCKS);
export const RANGE_SIZE = HIGHS + ringSize(RANGE_BLOCKS);
/** A value this far (as a share of the range) beyond the recent range is anomalous outright. */
const RANGE_TOLERANCE = 0.05;

export function initialRange(): RangeState {
  return { lows: [], highs: [], low: 0, high: 0, filled: 0 };
}

/**
 * A range remembered from a state saved before blocks: the all-time range as one completed
 * block, so it is forgotten like any other after `RANGE_BLOCKS` more blocks.
 */
export function rangeFrom(min: number, max: number, seen: number): RangeState {
  return seen > 0 ? { lows: [min], highs: [max], low: 0, high: 0, filled: 0 } : initialRange();
}

export function rangeInto(b: number[], at: number, s: RangeState): void {
  b[at + LOW] = s.low;
  b[at + HIGH] = s.high;
  b[at + FILLED] = s.filled;
  ringFill(b, at + LOWS, RANGE_BLOCKS, s.lows);
  ringFill(b, at + HIGHS, RANGE_BLOCKS, s.highs);
}

export function rangeOf(b: number[], at: number): RangeState {
  return {
    lows: ringValues(b, at + LOWS, RANGE_BLOCKS),
    highs: ringValues(b, at + HIGHS, RANGE_BLOCKS),
    low: b[at + LOW]!,
    high: b[at + HIGH]!,
    filled: b[at + FILLED]!,
  };
}

/** Whether `x` lies beyond the recent range by more than the tolerance; then folds `x` in. */
export function rangeUpdate(b: number[], at: number, x: number): boolean {
  let beyond = false;
  const filled = b[at + FILLED]!;
  const low = b[at + LOW]!;
  const high = b[at + HIGH]!;
  // Inside the block being filled is inside the range: most samples need no more than this.
  if (filled === 0 || x < low || x > high) {
    let lo = filled > 0 ? low : Infinity;
    let hi = filled > 0 ? high : -Infinity;
    const blocks = ringLength(b, at + LOWS);
    for (let k = 0; k < blocks; k++) {
      lo = Math.min(lo, ringAt(b, at + LOWS, RANGE_BLOCKS, k));
      hi = Math.max(hi, ringAt(b, at + HIGHS, RANGE_BLOCKS, k));
    }
    const tolerance = (hi - lo) * RANGE_TOLERANCE;
    beyond = hi > lo && (x > hi + tolerance || x < lo - tolerance);
  }
  if (filled === 0) b[at + LOW] = b[at + HIGH] = x;
  else if (x < low) b[at + LOW] = x;
  else if (x > high) b[at + HIGH] = x;
  if (filled + 1 === RANGE_BLOCK) {
    ringPush(b, at + LOWS, RANGE_BLOCKS, b[at + LOW]!);
    ringPush(b, at + HIGHS, RANGE_BLOCKS, b[at + HIGH]!);
    b[at + FILLED] = 0;
  } else b[at + FILLED] = filled + 1;
  return beyond;
}
