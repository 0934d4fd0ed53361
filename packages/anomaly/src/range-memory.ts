/**
 * The range of the recent past, for the outright alarm on a value well beyond it: the lowest
 * and highest value of each of the last few blocks of samples, plus the block being filled.
 * A range kept forever goes deaf after one early extreme (every later incident inside it is
 * left to the slower tests) and one kept short alarms on every return of an ordinary daily or
 * weekly extreme; blocks forget in whole blocks, so the memory is a number of samples (between
 * `(RANGE_BLOCKS - 1) · RANGE_BLOCK` and `RANGE_BLOCKS · RANGE_BLOCK`: about four weeks of
 * 5-minute samples), not a per-sample decay, and the state stays constant-size plain JSON.
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

/** Whether `x` lies beyond the recent range by more than the tolerance; then folds `x` in. */
export function rangeUpdate(s: RangeState, x: number): boolean {
  let beyond = false;
  // Inside the block being filled is inside the range: most samples need no more than this.
  if (s.filled === 0 || x < s.low || x > s.high) {
    let lo = s.filled > 0 ? s.low : Infinity;
    let hi = s.filled > 0 ? s.high : -Infinity;
    for (let k = 0; k < s.lows.length; k++) {
      lo = Math.min(lo, s.lows[k]!);
      hi = Math.max(hi, s.highs[k]!);
    }
    const tolerance = (hi - lo) * RANGE_TOLERANCE;
    beyond = hi > lo && (x > hi + tolerance || x < lo - tolerance);
  }
  if (s.filled === 0) s.low = s.high = x;
  else if (x < s.low) s.low = x;
  else if (x > s.high) s.high = x;
  if (++s.filled === RANGE_BLOCK) {
    s.lows.push(s.low);
    s.highs.push(s.high);
    if (s.lows.length > RANGE_BLOCKS) {
      s.lows.shift();
      s.highs.shift();
    }
    s.filled = 0;
  }
  return beyond;
}
