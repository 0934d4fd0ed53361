/**
 * Streaming anomaly scoring for one metric series: one sample at a time, no look-ahead,
 * constant memory, state that serialises to plain JSON (so the detector service can keep it in
 * a Kafka changelog and restore it after a restart).
 *
 *   const scorer = createScorer();
 *   const { score, baseline, warm } = scorer.update(42.1, Date.parse('2026-01-01T00:00:00Z'));
 *   const saved = scorer.state();            // JSON-safe, bounded size
 *   const again = createScorer({}, saved);   // continues exactly where it left off
 */
export interface ScorerOptions {
  /** Samples seen before scores are trusted; scores are 0 until then. */
  warmupSamples?: number;
}

export interface SeriesScore {
  /** Anomaly score in [0, 1]; higher is more anomalous. */
  score: number;
  /** The value the scorer expected (its robust baseline) before seeing this sample. */
  baseline: number;
  /** False during warm-up. */
  warm: boolean;
}

/** Opaque, JSON-serialisable, bounded-size scorer state. */
export type ScorerState = { readonly version: number } & Record<string, unknown>;

export interface SeriesScorer {
  update(value: number, timestampMs: number): SeriesScore;
  state(): ScorerState;
}

export function createScorer(_options: ScorerOptions = {}, _state?: ScorerState): SeriesScorer {
  throw new Error('not implemented yet');
}
