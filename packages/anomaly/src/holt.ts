/**
 * Holt's linear trend model (double exponential smoothing) over one metric series, streaming:
 * one sample at a time, constant memory, JSON state. Samples are averaged into fixed steps
 * first (`stepMs`): a scrape every second would otherwise make a five-minute horizon three
 * hundred steps long, and the band, which widens with the cube of the steps, would say nothing.
 *
 * The band comes from the residual variance of the one-step forecasts and the h-step error
 * variance of Holt's method (Hyndman et al., "Forecasting with Exponential Smoothing", the
 * ETS(A,A,N) case): σ²·(1 + (h−1)(α² + αβh + β²h(2h−1)/6)). It widens with the horizon because
 * the trend itself is uncertain: a noisy flat series has a jittery trend, and the band covers it.
 */
export interface HoltOptions {
  /** Width of one step: samples inside it are averaged into one observation. */
  stepMs: number;
  /** Smoothing of the level (0..1]. */
  alpha: number;
  /** Smoothing of the trend (0..1]. */
  beta: number;
  /** Half-width of the band in standard deviations of the h-step error. */
  z: number;
  /** Steps folded in before the model forecasts at all. */
  warmupSteps: number;
}

export const DEFAULT_HOLT_OPTIONS: Readonly<HoltOptions> = Object.freeze({
  stepMs: 10_000,
  alpha: 0.5,
  beta: 0.1,
  z: 2,
  warmupSteps: 12,
});

export interface HoltState {
  /** The step the open bucket belongs to (floor(t / stepMs)), or null before the first sample. */
  bucket: number | null;
  sum: number;
  count: number;
  /** The last step folded into the model. */
  folded: number | null;
  level: number;
  /** Change of the level per step. */
  trend: number;
  /** Mean squared one-step residual. */
  variance: number;
  steps: number;
}

export interface ForecastPoint {
  value: number;
  lower: number;
  upper: number;
}

export function emptyHoltState(): HoltState {
  return {
    bucket: null,
    sum: 0,
    count: 0,
    folded: null,
    level: 0,
    trend: 0,
    variance: 0,
    steps: 0,
  };
}

/** Folds one step's mean in: `gap` steps after the last one folded. */
function fold(s: HoltState, mean: number, gap: number, o: HoltOptions): void {
  s.steps += 1;
  if (s.steps === 1) {
    s.level = mean;
    return;
  }
  if (s.steps === 2) {
    // The first trend is the first difference: a ramp is followed from its second step on.
    s.trend = (mean - s.level) / gap;
    s.level = mean;
    return;
  }
  const predicted = s.level + s.trend * gap;
  const residual = mean - predicted;
  // Only one-step residuals estimate the one-step variance; early on as a plain mean, so a
  // first residual does not stand for the whole series.
  if (gap === 1) {
    const weight = Math.max(o.alpha * o.beta, 1 / (s.steps - 2));
    s.variance += weight * (residual * residual - s.variance);
  }
  const level = o.alpha * mean + (1 - o.alpha) * predicted;
  s.trend = o.beta * ((level - s.level) / gap) + (1 - o.beta) * s.trend;
  s.level = level;
}

/**
 * The state after a sample at `timestamp` (ms). Returns a new state; the input is not changed.
 * A sample older than the open step joins it (the clock never runs backwards).
 */
export function holtUpdate(
  previous: HoltState,
  value: number,
  timestamp: number,
  o: HoltOptions = DEFAULT_HOLT_OPTIONS,
): HoltState {
  const s = { ...previous };
  if (!Number.isFinite(value)) return s;
  const bucket = Math.floor(timestamp / o.stepMs);
  if (s.bucket !== null && bucket > s.bucket && s.count > 0) {
    fold(s, s.sum / s.count, s.folded === null ? 1 : s.bucket - s.folded, o);
    s.folded = s.bucket;
    s.sum = 0;
    s.count = 0;
  }
  if (s.bucket === null || bucket > s.bucket) s.bucket = bucket;
  s.sum += value;
  s.count += 1;
  return s;
}

export const holtWarm = (s: HoltState, o: HoltOptions = DEFAULT_HOLT_OPTIONS) =>
  s.steps >= o.warmupSteps;

/** The forecast `horizonMs` after the end of the last folded step, with its band; null while warming up. */
export function holtForecast(
  s: HoltState,
  horizonMs: number,
  o: HoltOptions = DEFAULT_HOLT_OPTIONS,
): ForecastPoint | null {
  if (!holtWarm(s, o)) return null;
  const h = Math.max(1, horizonMs / o.stepMs);
  const { alpha: a, beta: b } = o;
  const spread = 1 + (h - 1) * (a * a + a * b * h + (b * b * h * (2 * h - 1)) / 6);
  const sd = Math.sqrt(Math.max(0, s.variance) * spread);
  const value = s.level + s.trend * h;
  return { value, lower: value - o.z * sd, upper: value + o.z * sd };
}

export type Direction = 'above' | 'below';

/**
 * The first horizon (ms, one step at a time up to `withinMs`) at which even the cautious side
 * of the band is past `threshold`: the lower bound above it for `above`, the upper bound below
 * it for `below`. Null when the model does not predict a crossing within `withinMs`.
 */
export function holtCrossing(
  s: HoltState,
  direction: Direction,
  threshold: number,
  withinMs: number,
  inclusive = false,
  o: HoltOptions = DEFAULT_HOLT_OPTIONS,
): number | null {
  if (!holtWarm(s, o)) return null;
  for (let ms = o.stepMs; ms <= withinMs; ms += o.stepMs) {
    const f = holtForecast(s, ms, o) as ForecastPoint;
    const past =
      direction === 'above'
        ? inclusive
          ? f.lower >= threshold
          : f.lower > threshold
        : inclusive
          ? f.upper <= threshold
          : f.upper < threshold;
    if (past) return ms;
  }
  return null;
}
