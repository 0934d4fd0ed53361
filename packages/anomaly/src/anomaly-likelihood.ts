import { ewUpdate } from './ew-stats.js';
import { normalTail } from './gaussian-tail.js';

/**
 * How unlikely the recent raw anomaly scores are, given their own long-run distribution (the
 * idea of Numenta's anomaly likelihood, Ahmad et al. 2017). A single noisy raw score moves the
 * short average little; a run of them, or a series whose raw scores suddenly behave
 * differently, moves it a lot. The long-run distribution is exponentially weighted, so memory
 * is constant.
 */
export interface LikelihoodState {
  /** The last few raw scores, oldest first (at most `SHORT_WINDOW`). */
  recent: number[];
  mean: number;
  variance: number;
  count: number;
}

const SHORT_WINDOW = 10;
/** Weight of each new short average in the long-run distribution: roughly a week of 5-minute samples. */
const LONG_ALPHA = 0.002;
/** Short averages to see before judging any of them. */
const MIN_HISTORY = 20;
const MIN_STDEV = 1e-4;
/** log(1 − 0.9999999999): a likelihood of 1 − 1e-10 maps to a score of 1. */
const LOG_FLOOR = Math.log(1e-10);

export function initialLikelihood(): LikelihoodState {
  return { recent: [], mean: 0, variance: 0, count: 0 };
}

/**
 * Folds in one raw score in [0,1] and returns the log-scaled likelihood in [0,1] that the short
 * average is unusual (either way: a series that goes suspiciously quiet counts too).
 */
export function likelihoodUpdate(s: LikelihoodState, raw: number): number {
  s.recent.push(raw);
  if (s.recent.length > SHORT_WINDOW) s.recent.shift();
  let sum = 0;
  for (const r of s.recent) sum += r;
  const average = sum / s.recent.length;

  let likelihood = 0.5;
  if (s.count > MIN_HISTORY) {
    const stdev = Math.max(Math.sqrt(s.variance), MIN_STDEV);
    likelihood = 1 - normalTail(Math.abs(average - s.mean) / stdev);
  }
  s.count++;
  ewUpdate(s, average, Math.max(LONG_ALPHA, 1 / s.count));
  return Math.min(1, Math.max(0, Math.log(1.0000000001 - likelihood) / LOG_FLOOR));
}
