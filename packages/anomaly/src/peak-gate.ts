/**
 * Passes a score only when it rises above the recent peak, which decays back down over a few
 * hundred samples. One incident then raises one alarm instead of a burst of them, whatever
 * threshold the consumer applies: the repeats would all be false positives or add nothing.
 */
const PEAK_DECAY = 0.995;

/** Returns the gated score and the new peak. */
export function peakGate(score: number, peak: number): { score: number; peak: number } {
  return { score: score > peak ? score : 0, peak: Math.max(score, peak * PEAK_DECAY) };
}
