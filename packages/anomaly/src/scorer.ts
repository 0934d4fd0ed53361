import {
  LIKELIHOOD_SIZE,
  likelihoodInto,
  likelihoodOf,
  likelihoodUpdate,
  type LikelihoodState,
} from './anomaly-likelihood.js';
import { ewDeviation, ewUpdate } from './ew-stats.js';
import { erfc } from './gaussian-tail.js';
import { SHIFT_SIZE, shiftInto, shiftOf, shiftUpdate, type ShiftState } from './level-shift.js';
import { gatePeak } from './peak-gate.js';
import { slots } from './ring.js';
import {
  RANGE_SIZE,
  rangeFrom,
  rangeInto,
  rangeOf,
  rangeUpdate,
  type RangeState,
} from './range-memory.js';
import {
  SEASON_BINS,
  SEASON_SIZE,
  seasonalInto,
  seasonalOf,
  seasonalUpdate,
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

/** The saved form (JSON, in the detector's changelog): what `state()` gives and restore takes. */
interface StateV1 {
  version: typeof SCORER_STATE_VERSION;
  n: number;
  fast: { mean: number; variance: number };
  slow: { mean: number; variance: number };
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

/**
 * The working form: every number of the state in one packed array of doubles (202 numbers,
 * 1.6 kB; ring.ts, `slots`), at
 * the offsets below. A sample reads and writes the first 58 of them, contiguous, and one
 * time-of-day bin's three; as nested objects the same state was some 35 objects and arrays
 * and a few dozen boxed numbers scattered over the heap, each a cache miss once the fleet's
 * states outgrow the CPU's caches (10,000 components: some 20 MB).
 */
const N = 0;
const FAST = 1;
const SLOW = 3;
const MIN = 5;
const MAX = 6;
const PEAK = 7;
const LIKELIHOOD = 8;
const SHIFT = LIKELIHOOD + LIKELIHOOD_SIZE;
const RANGE = SHIFT + SHIFT_SIZE;
const SEASON = RANGE + RANGE_SIZE;
const SIZE = SEASON + SEASON_SIZE;

/**
 * A state in its working form, as `release()` hands it over: `packed` is the scorer's own
 * array. It serialises (JSON.stringify) to the saved form; a deep copy (clonePlain, the
 * runtime's copyJson) copies it as the plain data it is.
 */
interface PackedState {
  version: typeof SCORER_STATE_VERSION;
  packed: number[];
  toJSON: (this: PackedState) => StateV1;
}

function savedForm(this: PackedState): StateV1 {
  return unpack(this.packed);
}

function packedState(b: number[]): PackedState {
  return { version: SCORER_STATE_VERSION, packed: b, toJSON: savedForm };
}

function pack(s: StateV1): number[] {
  const b = slots(SIZE);
  b[N] = s.n;
  b[FAST] = s.fast.mean;
  b[FAST + 1] = s.fast.variance;
  b[SLOW] = s.slow.mean;
  b[SLOW + 1] = s.slow.variance;
  b[MIN] = s.min;
  b[MAX] = s.max;
  b[PEAK] = s.peak;
  likelihoodInto(b, LIKELIHOOD, s.likelihood);
  shiftInto(b, SHIFT, s.shift);
  rangeInto(b, RANGE, s.range);
  seasonalInto(b, SEASON, s.season);
  return b;
}

function unpack(b: number[]): StateV1 {
  return {
    version: SCORER_STATE_VERSION,
    n: b[N]!,
    fast: { mean: b[FAST]!, variance: b[FAST + 1]! },
    slow: { mean: b[SLOW]!, variance: b[SLOW + 1]! },
    min: b[MIN]!,
    max: b[MAX]!,
    season: seasonalOf(b, SEASON),
    likelihood: likelihoodOf(b, LIKELIHOOD),
    shift: shiftOf(b, SHIFT),
    range: rangeOf(b, RANGE),
    peak: b[PEAK]!,
  };
}

function isPacked(saved: ScorerState): saved is ScorerState & PackedState {
  return Array.isArray(saved['packed']);
}

/** The working array of a saved or released state: its own (inPlace) or a copy. */
function restore(saved: ScorerState, inPlace: boolean): number[] {
  if (saved.version !== SCORER_STATE_VERSION) {
    throw new Error(`scorer state version ${String(saved.version)} is not ${SCORER_STATE_VERSION}`);
  }
  if (isPacked(saved)) {
    if (saved.packed.length !== SIZE) throw new Error('scorer state is malformed');
    return inPlace ? saved.packed : saved.packed.slice();
  }
  const s = saved as unknown as StateV1;
  if (s.season?.mean?.length !== SEASON_BINS || !Array.isArray(s.likelihood?.recent)) {
    throw new Error('scorer state is malformed');
  }
  if (s.shift !== undefined && !Array.isArray(s.shift.recent)) {
    throw new Error('scorer state is malformed');
  }
  if (s.range !== undefined && (!Array.isArray(s.range.lows) || !Array.isArray(s.range.highs))) {
    throw new Error('scorer state is malformed');
  }
  return pack({
    ...s,
    // A state saved before the level-shift test: its window starts empty and fills in ten samples.
    shift: s.shift ?? { recent: [] },
    // A state saved before the recent range: its all-time range becomes the oldest block.
    range: s.range ?? rangeFrom(s.min, s.max, s.n),
  });
}

/**
 * One step of the detector: how far the sample is from the level at two time scales, unless
 * the same time of day usually looks like this; the likelihood of the recent deviations; how
 * far the recent window's mean has moved from the long-run level; an outright alarm for a
 * value well beyond anything seen in the recent weeks; one alarm per incident.
 */
/** What `step` found, written into one object for the process: a sample allocates no result. */
const stepped = { score: 0, deviation: 0, spread: 0 };

function step(s: number[], x: number, t: number): typeof stepped {
  const n = s[N]! + 1;
  s[N] = n;
  if (n === 1) {
    s[FAST] = s[SLOW] = s[MIN] = s[MAX] = x;
  }
  const floor = RELATIVE_FLOOR * Math.max(1e-9, s[MAX]! - s[MIN]!, Math.abs(s[SLOW]!));
  const level = Math.max(ewDeviation(s, SLOW, x, floor), ewDeviation(s, FAST, x, floor));
  const deviation = Math.min(level, seasonalUpdate(s, SEASON, x, t, floor));
  // The magnitude: distance from the long-run level in its standard deviations, the variance
  // corrected for starting at 0 (it reaches its size only after some hundreds of samples).
  const settled = 1 - (1 - SLOW_ALPHA) ** (n - 1);
  const spread = Math.sqrt((n === 1 ? 0 : s[SLOW + 1]! / settled) + floor * floor);
  const magnitude = n === 1 ? 0 : Math.abs(x - s[SLOW]!) / spread;
  const shift = shiftUpdate(s, SHIFT, x, s[SLOW]!, spread);
  ewUpdate(s, SLOW, x, SLOW_ALPHA);
  ewUpdate(s, FAST, x, FAST_ALPHA);

  const outOfRange = rangeUpdate(s, RANGE, x);
  s[MIN] = Math.min(s[MIN]!, x);
  s[MAX] = Math.max(s[MAX]!, x);

  const raw = 1 - erfc(deviation / Math.SQRT2);
  const likelihood = likelihoodUpdate(s, LIKELIHOOD, raw);
  stepped.score = outOfRange ? 1 : Math.max(likelihood, shift);
  stepped.deviation = magnitude;
  stepped.spread = spread;
  return stepped;
}

/**
 * One sample through the working array `s`, its score written into `out` (every field, the
 * optional ones set or cleared): what `update` returns, without allocating.
 */
function scoreSample(
  s: number[],
  warmup: number,
  value: number,
  t: number,
  out: SeriesScore,
): void {
  out.baseline = s[N] === 0 ? value : s[SLOW]!;
  out.ungated = undefined;
  out.spread = undefined;
  if (!Number.isFinite(value) || !Number.isFinite(t)) {
    out.score = 0;
    out.warm = s[N]! > warmup;
    out.deviation = 0;
    return;
  }
  const { score, deviation, spread } = step(s, value, t);
  out.deviation = deviation;
  out.spread = spread;
  if (s[N]! <= warmup) {
    out.score = 0;
    out.warm = false;
    return;
  }
  out.score = gatePeak(s, PEAK, score);
  out.ungated = score;
  out.warm = true;
}

/**
 * One sample scored on a saved or released state, as `createScorer(options, state).update()`
 * then `release()` would (`options.inPlace` is taken as set: a packed state is updated where it
 * is), with the score written into `out` instead of a new object. Returns the state after the
 * sample: `state` itself when it was packed, otherwise its new packed form (`state` undefined:
 * a fresh one). The detector's path, one call per sample with nothing allocated on it.
 */
export function scoreInto(
  options: ScorerOptions,
  state: ScorerState | undefined,
  value: number,
  timestampMs: number,
  out: SeriesScore,
): ScorerState {
  const s = state ? restore(state, true) : slots(SIZE);
  scoreSample(s, options.warmupSamples ?? DEFAULT_WARMUP, value, timestampMs, out);
  return handedOver(state, s);
}

/** The state `s` (restored from `state`) hands over: `state` itself when that was this very array. */
function handedOver(state: ScorerState | undefined, s: number[]): ScorerState {
  return (state && isPacked(state) && state.packed === s
    ? state
    : packedState(s)) as unknown as ScorerState;
}

/** `update`'s working result, copied into the object it returns. */
const updated: SeriesScore = { score: 0, baseline: 0, warm: false };

/**
 * Creates a scorer for one series, fresh or continuing from `state` (which must come from
 * `state()` or `release()` of a scorer with the same options). Non-finite values are ignored:
 * they score 0 and leave the state untouched.
 */
export function createScorer(options: ScorerOptions = {}, state?: ScorerState): SeriesScorer {
  const warmup = options.warmupSamples ?? DEFAULT_WARMUP;
  const s = state ? restore(state, options.inPlace === true) : slots(SIZE);
  let released = false;
  return {
    update(value: number, timestampMs: number): SeriesScore {
      if (released) throw new Error('scorer updated after its state was released');
      const r = updated;
      scoreSample(s, warmup, value, timestampMs, r);
      // A new object each call, with the fields it always had: a caller may keep it.
      const { score, baseline, warm, deviation, spread, ungated } = r;
      if (spread === undefined) return { score, baseline, warm, deviation };
      if (ungated === undefined) return { score, baseline, warm, deviation, spread };
      return { score, ungated, baseline, warm, deviation, spread };
    },
    state(): ScorerState {
      return unpack(s) as unknown as ScorerState;
    },
    release(): ScorerState {
      released = true;
      return handedOver(state, s);
    },
  };
}
