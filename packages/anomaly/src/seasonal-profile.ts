import { ewDeviation, ewUpdate, type EwStats } from './ew-stats.js';

/**
 * What the series usually does at this time of day: one exponentially weighted mean and
 * variance per half-hour bin. Lets a daily peak that happens every day read as normal.
 */
export interface SeasonalState {
  mean: number[];
  variance: number[];
  seen: number[];
}

export const SEASON_BINS = 48;
const DAY_MS = 86_400_000;
/** Each bin is seen once a day, so it must learn fast: about the last five days count. */
const SEASON_ALPHA = 0.2;

export function initialSeasonal(): SeasonalState {
  return {
    mean: new Array<number>(SEASON_BINS).fill(0),
    variance: new Array<number>(SEASON_BINS).fill(0),
    seen: new Array<number>(SEASON_BINS).fill(0),
  };
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
  s: SeasonalState,
  x: number,
  timestampMs: number,
  floor: number,
): number {
  const b = binOf(timestampMs);
  const stats: EwStats = { mean: s.mean[b]!, variance: s.variance[b]! };
  const seen = s.seen[b]!;
  const deviation = seen === 0 ? Infinity : ewDeviation(stats, x, floor);
  if (seen === 0) stats.mean = x;
  else ewUpdate(stats, x, SEASON_ALPHA);
  s.mean[b] = stats.mean;
  s.variance[b] = stats.variance;
  s.seen[b] = Math.min(seen + 1, 1_000_000);
  return deviation;
}
