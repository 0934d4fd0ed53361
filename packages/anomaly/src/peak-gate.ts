/**
 * Passes a score only when it rises above the recent peak, which decays back down over a few
 * hundred samples. One incident then raises one alarm instead of a burst of them, whatever
 * threshold the consumer applies: the repeats would all be false positives or add nothing.
 */
const PEAK_DECAY = 0.995;

/** Returns the gated score; the peak, at `s[at]`, becomes the new one. */
export function gatePeak(s: number[], at: number, score: number): number {
  const peak = s[at]!;
  s[at] = Math.max(score, peak * PEAK_DECAY);
  return score > peak ? score : 0;
}
