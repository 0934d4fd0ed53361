import { createScorer } from './scorer.js';
import type { ScorerOptions } from './types.js';

/** The name our scores go under in NAB's results layout. */
export const NAB_DETECTOR_NAME = 'healstream';

/**
 * Streams one series through a fresh scorer exactly as the detector service feeds live samples:
 * one at a time, in order, each score computed before the scorer sees the next value.
 */
export function scoreSeries(
  timestamps: readonly number[],
  values: readonly number[],
  options: ScorerOptions = {},
): number[] {
  const scorer = createScorer(options);
  const scores = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++)
    scores[i] = scorer.update(values[i]!, timestamps[i]!).score;
  return scores;
}
