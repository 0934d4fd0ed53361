/**
 * Streaming anomaly scoring for one metric series: one sample at a time, no look-ahead,
 * constant memory, state that serialises to plain JSON (so the detector service can keep it in
 * a Kafka changelog and restore it after a restart).
 *
 *   const scorer = createScorer();
 *   const { score, baseline, warm } = scorer.update(42.1, Date.parse('2026-01-01T00:00:00Z'));
 *   const saved = scorer.state();            // JSON-safe, bounded size
 *   const again = createScorer({}, saved);   // continues exactly where it left off
 *
 * Also: the Numenta Anomaly Benchmark's scoring method (nab-*), to measure the scorer.
 */
export type { ScorerOptions, ScorerState, SeriesScore, SeriesScorer } from './types.js';
export { erfc } from './gaussian-tail.js';
export { createScorer, scoreInto } from './scorer.js';
export { clonePlain } from './clone.js';

export { type ProfileScore } from './nab-score.js';
export { PUBLISHED_SUBSET_SCORES } from './nab-published.js';
export { runNab, type NabRunReport } from './nab-runner.js';

export {
  emptyHoltState,
  holtCrossing,
  holtForecast,
  holtUpdate,
  type ForecastPoint,
  type HoltOptions,
  type HoltState,
} from './holt.js';
export { scoreCorpus } from './nab-score.js';
export { leaveOneGroupOut, scoreNabFiles } from './nab-logo.js';
