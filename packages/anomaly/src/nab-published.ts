import type { CostMatrix } from './nab-sweep.js';

/** NAB's three application profiles (its config/profiles.json). */
export const NAB_PROFILES: Readonly<Record<string, CostMatrix>> = {
  standard: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 },
  reward_low_FP_rate: { tpWeight: 1, fnWeight: 1, fpWeight: 0.22 },
  reward_low_FN_rate: { tpWeight: 1, fnWeight: 2, fpWeight: 0.11 },
};

/**
 * NAB's published detectors scored by NAB's own scorer on the subset of files in
 * shared/nab/data (threshold optimised on that subset), as listed in shared/nab/README.md.
 */
export interface PublishedScore {
  readonly detector: string;
  readonly standard: number;
  readonly reward_low_FP_rate: number;
  readonly reward_low_FN_rate: number;
}

export const PUBLISHED_SUBSET_SCORES: readonly PublishedScore[] = [
  { detector: 'ARTime', standard: 77.0, reward_low_FP_rate: 67.7, reward_low_FN_rate: 82.3 },
  { detector: 'contextOSE', standard: 75.4, reward_low_FP_rate: 72.7, reward_low_FN_rate: 78.5 },
  { detector: 'numenta', standard: 73.0, reward_low_FP_rate: 66.6, reward_low_FN_rate: 76.8 },
  { detector: 'numentaTM', standard: 68.6, reward_low_FP_rate: 61.5, reward_low_FN_rate: 72.5 },
  { detector: 'htmjava', standard: 68.6, reward_low_FP_rate: 62.0, reward_low_FN_rate: 72.9 },
  {
    detector: 'earthgeckoSkyline',
    standard: 63.2,
    reward_low_FP_rate: 49.8,
    reward_low_FN_rate: 69.2,
  },
  { detector: 'knncad', standard: 60.5, reward_low_FP_rate: 46.4, reward_low_FN_rate: 66.8 },
  {
    detector: 'relativeEntropy',
    standard: 55.6,
    reward_low_FP_rate: 49.2,
    reward_low_FN_rate: 59.4,
  },
  {
    detector: 'randomCutForest',
    standard: 55.1,
    reward_low_FP_rate: 42.7,
    reward_low_FN_rate: 62.2,
  },
  { detector: 'twitterADVec', standard: 51.1, reward_low_FP_rate: 36.0, reward_low_FN_rate: 58.1 },
  {
    detector: 'windowedGaussian',
    standard: 44.8,
    reward_low_FP_rate: 23.0,
    reward_low_FN_rate: 53.6,
  },
  { detector: 'skyline', standard: 40.7, reward_low_FP_rate: 31.1, reward_low_FN_rate: 50.8 },
  { detector: 'bayesChangePt', standard: 21.4, reward_low_FP_rate: 11.4, reward_low_FN_rate: 34.5 },
  { detector: 'random', standard: 17.6, reward_low_FP_rate: 8.2, reward_low_FN_rate: 26.4 },
  { detector: 'null', standard: 0.0, reward_low_FP_rate: 0.0, reward_low_FN_rate: 0.0 },
];
