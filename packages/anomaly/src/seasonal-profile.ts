import { ewDeviation, ewUpdate } from './ew-stats.js';

/**
 * What the series usually does at this time of day: one exponentially weighted mean and
 * variance per half-hour bin. Lets a daily peak that happens every day read as normal.
 *
 * Kept in a scorer's array of numbers (ring.ts, `slots`) from `at`: per bin its mean, variance and the samples it has seen,
 * side by side, so a sample reads one bin's three numbers from one place.
 */
export const SEASON_BINS = 48;
export const SEASON_SIZE = 3 * SEASON_BINS;
const DAY_MS = 86_400_000;
/** Each bin is seen once a day, so it must learn fast: about the last five days count. */
const SEASON_ALPHA = 0.2;

/** The saved form: the bins' means, variances and counts, each in bin order. */
export interface SeasonalState {
  mean: number[];
  variance: number[];
  seen: number[];
}

export function seasonalInto(b: number[], at: number, s: SeasonalState): void {
  for (let k = 0; k < SEASON_BINS; k++) {
    b[at + 3 * k] = s.mean[k]!;
    b[at + 3 * k + 1] = s.variance[k]!;
    b[at + 3 * k + 2] = s.seen[k]!;
  }
}

export function seasonalOf(b: number[], at: number): SeasonalState {
  const s: SeasonalState = { mean: [], variance: [], seen: [] };
  for (let k = 0; k < SEASON_BINS; k++) {
    s.mean.push(b[at + 3 * k]!);
    s.variance.push(b[at + 3 * k + 1]!);
    s.seen.push(b[at + 3 * k + 2]!);
  }
  return s;
}

function binOf(timestampMs: number): number {
  const ofDay = ((timestampMs % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.min(SEASON_BINS - 1, Math.floor((ofDay / DAY_MS) * SEASON_BINS));
}

/**
 * Deviation of `x` from its time-of-day bin in standard deviations (Infinity while the bin is
 * untrained, so it never vouches for a sample), then folds `x` into the bin.
 */
export function seasonalUpdate(
  b: number[],
  at: number,
  x: number,
  timestampMs: number,
  floor: number,
): number {
  const bin = at + 3 * binOf(timestampMs);
  const seen = b[bin + 2]!;
  const deviation = seen === 0 ? Infinity : ewDeviation(b, bin, x, floor);
  if (seen === 0) b[bin] = x;
  else ewUpdate(b, bin, x, SEASON_ALPHA);
  b[bin + 2] = Math.min(seen + 1, 1_000_000);
  return deviation;
}
