import { ewUpdate } from './ew-stats.js';
import { normalTail } from './gaussian-tail.js';
import { ringAt, ringFill, ringLength, ringPush, ringSize, ringValues } from './ring.js';

/**
 * How unlikely the recent raw anomaly scores are, given their own long-run distribution (the
 * idea of Numenta's anomaly likelihood, Ahmad et al. 2017). A single noisy raw score moves the
 * short average little; a run of them, or a series whose raw scores suddenly behave
 * differently, moves it a lot. The long-run distribution is exponentially weighted, so memory
 * is constant.
 *
 * Kept in a scorer's array of numbers (ring.ts, `slots`) from `at`: the long-run mean, variance and count, then the window of
 * recent raw scores (ring.ts).
 */
export interface LikelihoodState {
  /** The last few raw scores, oldest first (at most `SHORT_WINDOW`). */
  recent: number[];
  mean: number;
  variance: number;
  count: number;
}

const SHORT_WINDOW = 10;
const MEAN = 0;
const COUNT = 2;
const RECENT = 3;
export const LIKELIHOOD_SIZE = RECENT + ringSize(SHORT_WINDOW);
/** Weight of each new short average in the long-run distribution: roughly a week of 5-minute samples. */
const LONG_ALPHA = 0.002;
/** Short averages to see before judging any of them. */
const MIN_HISTORY = 20;
const MIN_STDEV = 1e-4;
/** log(1 − 0.9999999999): a likelihood of 1 − 1e-10 maps to a score of 1. */
const LOG_FLOOR = Math.log(1e-10);

export function likelihoodInto(b: number[], at: number, s: LikelihoodState): void {
  b[at + MEAN] = s.mean;
  b[at + MEAN + 1] = s.variance;
  b[at + COUNT] = s.count;
  ringFill(b, at + RECENT, SHORT_WINDOW, s.recent);
}

export function likelihoodOf(b: number[], at: number): LikelihoodState {
  return {
    recent: ringValues(b, at + RECENT, SHORT_WINDOW),
    mean: b[at + MEAN]!,
    variance: b[at + MEAN + 1]!,
    count: b[at + COUNT]!,
  };
}

/**
 * Folds in one raw score in [0,1] and returns the log-scaled likelihood in [0,1] that the short
 * average is unusual (either way: a series that goes suspiciously quiet counts too).
 */
export function likelihoodUpdate(b: number[], at: number, raw: number): number {
  ringPush(b, at + RECENT, SHORT_WINDOW, raw);
  const length = ringLength(b, at + RECENT);
  let sum = 0;
  for (let k = 0; k < length; k++) sum += ringAt(b, at + RECENT, SHORT_WINDOW, k);
  const average = sum / length;

  let likelihood = 0.5;
  const count = b[at + COUNT]!;
  if (count > MIN_HISTORY) {
    const stdev = Math.max(Math.sqrt(b[at + MEAN + 1]!), MIN_STDEV);
    likelihood = 1 - normalTail(Math.abs(average - b[at + MEAN]!) / stdev);
  }
  b[at + COUNT] = count + 1;
  ewUpdate(b, at + MEAN, average, Math.max(LONG_ALPHA, 1 / (count + 1)));
  return Math.min(1, Math.max(0, Math.log(1.0000000001 - likelihood) / LOG_FLOOR));
}
