export interface ScorerOptions {
  /** Samples seen before scores are trusted; scores are 0 until then. Default 150. */
  warmupSamples?: number;
  /**
   * Update the given state object itself instead of a copy of it: for a caller that owns the
   * state and keeps it mutable in memory (the detector, which serialises it once per
   * transaction), so a sample copies nothing. Default false.
   */
  inPlace?: boolean;
}

export interface SeriesScore {
  /** Anomaly score in [0, 1]; higher is more anomalous. */
  score: number;
  /**
   * The score before the one-alarm-per-incident gate, which passes a score only above the
   * recent peak: after a ramp's first unusual sample `score` is 0 for minutes, however far the
   * ramp goes. What a consumer that tracks an anomaly's duration reads (the detector: a ramp
   * whose first unusual sample was still too small to count is not silenced for the rest of
   * it). Optional: scorers without such a gate give `score` alone.
   */
  ungated?: number;
  /** The value the scorer expected (its robust baseline) before seeing this sample. */
  baseline: number;
  /** False during warm-up. */
  warm: boolean;
  /**
   * How far the value is from the expected level, in the series' own standard deviations (its
   * normal noise; the same time of day when that explains it better): the anomaly's magnitude.
   * Optional, so scorers that cannot say still fit.
   */
  deviation?: number;
  /**
   * The series' normal noise (standard deviation) that `deviation` is measured in, before this
   * sample: with `baseline`, the series' usual level and spread. Optional like `deviation`.
   */
  spread?: number;
}

/** Opaque, JSON-serialisable, bounded-size scorer state. */
export type ScorerState = { readonly version: number } & Record<string, unknown>;

export interface SeriesScorer {
  update(value: number, timestampMs: number): SeriesScore;
  /** A copy of the state: the scorer may go on. */
  state(): ScorerState;
  /**
   * The state itself, not a copy, for a caller done with the scorer (one copy less per
   * sample on the detector's path); the scorer must not be updated after it.
   */
  release?(): ScorerState;
}
