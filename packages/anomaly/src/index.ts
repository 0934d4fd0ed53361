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
export { createScorer, SCORER_STATE_VERSION } from './scorer.js';

export {
  bestThreshold,
  OUTSIDE,
  PROBATION,
  PROBATIONARY_FRACTION,
  probationaryLength,
  scaledSigmoid,
  scoreAtThreshold,
  scoresByThreshold,
  sweepFile,
  type CostMatrix,
  type SweepRow,
  type ThresholdScore,
  type WindowLimits,
} from './nab-sweep.js';
export {
  groupOf,
  scoreCorpus,
  scoreProfile,
  type GroupScore,
  type ProfileScore,
  type ScoredFile,
} from './nab-score.js';
export {
  formatNabTimestamp,
  listCsvFiles,
  parseNabTimestamp,
  readNabSeries,
  readProfiles,
  readResultScores,
  readWindows,
  resultsFilePath,
  writeResultFile,
  type NabSeries,
} from './nab-files.js';
export { NAB_DETECTOR_NAME, scoreSeries } from './nab-run.js';
export { PUBLISHED_SUBSET_SCORES, type PublishedScore } from './nab-published.js';
export { NAB_PROFILES } from './nab-published.js';
export { runNab, type NabRunOptions, type NabRunReport } from './nab-runner.js';
