import { clonePlain } from './clone.js';
import { initialLikelihood, likelihoodUpdate, type LikelihoodState } from './anomaly-likelihood.js';
import { ewDeviation, ewUpdate, type EwStats } from './ew-stats.js';
import { erfc } from './gaussian-tail.js';
import { initialShift, shiftUpdate, type ShiftState } from './level-shift.js';
import { peakGate } from './peak-gate.js';
import { initialRange, rangeFrom, rangeUpdate, type RangeState } from './range-memory.js';
import {
  initialSeasonal,
  seasonalUpdate,
  SEASON_BINS,
  type SeasonalState,
} from './seasonal-profile.js';
import type { ScorerOptions, ScorerState, SeriesScore, SeriesScorer } from './types.js';

export const SCORER_STATE_VERSION = 1;
const DEFAULT_WARMUP = 150;
/** Two time scales for the level: about 20 samples (a burst) and about 330 (a drift). */
const FAST_ALPHA = 0.05;
const SLOW_ALPHA = 0.003;
/** Keeps a flat series from dividing by zero, relative to the series' own scale. */
const RELATIVE_FLOOR = 1e-6;

interface StateV1 {
  version: typeof SCORER_STATE_VERSION;
  n: number;
  fast: EwStats;
  slow: EwStats;
  min: number;
  max: number;
  season: SeasonalState;
  likelihood: LikelihoodState;
  /** The last samples, for the windowed level-shift test (absent in states saved before it). */
  shift: ShiftState;
  /** The recent range, for the outright alarm (absent in states saved before it). */
  range: RangeState;
  peak: number;
}

function fresh(): StateV1 {
  return {
    version: SCORER_STATE_VERSION,
    n: 0,
    fast: { mean: 0, variance: 0 },
    slow: { mean: 0, variance: 0 },
    min: 0,
    max: 0,
    season: initialSeasonal(),
    likelihood: initialLikelihood(),
    shift: initialShift(),
    range: initialRange(),
    peak: 0,
  };
}

function restore(saved: ScorerState, inPlace: boolean): StateV1 {
  const s = saved as unknown as StateV1;
  if (s.version !== SCORER_STATE_VERSION) {
    throw new Error(`scorer state version ${String(s.version)} is not ${SCORER_STATE_VERSION}`);
  }
  if (s.season?.mean?.length !== SEASON_BINS || !Array.isArray(s.likelihood?.recent)) {
    throw new Error('scorer state is malformed');
  }
  if (s.shift !== undefined && !Array.isArray(s.shift.recent)) {
    throw new Error('scorer state is malformed');
  }
  if (s.range !== undefined && (!Array.isArray(s.range.lows) || !Array.isArray(s.range.highs))) {
    throw new Error('scorer state is malformed');
  }
  const copy = inPlace ? s : clonePlain(s);
  // A state saved before the level-shift test: its window starts empty and fills in ten samples.
  copy.shift ??= initialShift();
  // A state saved before the recent range: its all-time range becomes the oldest block.
  copy.range ??= rangeFrom(copy.min, copy.max, copy.n);
  return copy;
}

/**
 * One step of the detector: how far the sample is from the level at two time scales, unless
 * the same time of day usually looks like this; the likelihood of the recent deviations; how
 * far the recent window's mean has moved from the long-run level; an outright alarm for a
 * value well beyond anything seen in the recent weeks; one alarm per incident.
 */
function step(
  s: StateV1,
  x: number,
  t: number,
): { score: number; deviation: number; spread: number } {
  s.n++;
  if (s.n === 1) {
    s.fast.mean = s.slow.mean = s.min = s.max = x;
  }
  const floor = RELATIVE_FLOOR * Math.max(1e-9, s.max - s.min, Math.abs(s.slow.mean));
  const level = Math.max(ewDeviation(s.slow, x, floor), ewDeviation(s.fast, x, floor));
  const deviation = Math.min(level, seasonalUpdate(s.season, x, t, floor));
  // The magnitude: distance from the long-run level in its standard deviations, the variance
  // corrected for starting at 0 (it reaches its size only after some hundreds of samples).
  const settled = 1 - (1 - SLOW_ALPHA) ** (s.n - 1);
  const spread = Math.sqrt((s.n === 1 ? 0 : s.slow.variance / settled) + floor * floor);
  const magnitude = s.n === 1 ? 0 : Math.abs(x - s.slow.mean) / spread;
  const shift = shiftUpdate(s.shift, x, s.slow.mean, spread);
  ewUpdate(s.slow, x, SLOW_ALPHA);
  ewUpdate(s.fast, x, FAST_ALPHA);

  const outOfRange = rangeUpdate(s.range, x);
  s.min = Math.min(s.min, x);
  s.max = Math.max(s.max, x);

  const raw = 1 - erfc(deviation / Math.SQRT2);
  const likelihood = likelihoodUpdate(s.likelihood, raw);
  return { score: outOfRange ? 1 : Math.max(likelihood, shift), deviation: magnitude, spread };
}

/**
 * Creates a scorer for one series, fresh or continuing from `state` (which must come from
 * `state()` of a scorer with the same options). Non-finite values are ignored: they score 0
 * and leave the state untouched.
 */
export function createScorer(options: ScorerOptions = {}, state?: ScorerState): SeriesScorer {
  const warmup = options.warmupSamples ?? DEFAULT_WARMUP;
  const s = state ? restore(state, options.inPlace === true) : fresh();
  let released = false;
  return {
    update(value: number, timestampMs: number): SeriesScore {
      if (released) throw new Error('scorer updated after its state was released');
      const baseline = s.n === 0 ? value : s.slow.mean;
      if (!Number.isFinite(value) || !Number.isFinite(timestampMs)) {
        return { score: 0, baseline, warm: s.n > warmup, deviation: 0 };
      }
      const { score, deviation, spread } = step(s, value, timestampMs);
      if (s.n <= warmup) return { score: 0, baseline, warm: false, deviation, spread };
      const gated = peakGate(score, s.peak);
      s.peak = gated.peak;
      return { score: gated.score, ungated: score, baseline, warm: true, deviation, spread };
    },
    state(): ScorerState {
      return clonePlain(s) as unknown as ScorerState;
    },
    release(): ScorerState {
      released = true;
      return s as unknown as ScorerState;
    },
  };
}
