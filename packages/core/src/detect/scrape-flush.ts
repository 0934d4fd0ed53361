import type { MetricSample, ReliabilityEvent } from '@healstream/contracts';
import type { DetectorConfig } from './config.js';
import type { ComponentDetectorState } from './state.js';

/** How long (event time) a held event waits at most for the rest of its scrape. */
export const SCRAPE_FLUSH_MS = 5_000;

/**
 * The flush window of a diagnosis: a scrape publishes all of a component's metrics under one
 * timestamp, one sample after another, and an incident opens on the first bad one. An event
 * held here is released, to be brought up to date (`refreshEvent`) and diagnosed, once its
 * scrape is complete: when a sample of the same component with a later timestamp arrives (call
 * this before feeding that sample to `detect`), or when any sample is `windowMs` of event time
 * later (a component that fell silent). Keyed by component and timestamp; order is kept.
 */
export function releaseScrape(
  held: readonly ReliabilityEvent[],
  sample: Pick<MetricSample, 'component' | 'timestamp'>,
  windowMs: number = SCRAPE_FLUSH_MS,
): { release: ReliabilityEvent[]; keep: ReliabilityEvent[] } {
  const release: ReliabilityEvent[] = [];
  const keep: ReliabilityEvent[] = [];
  for (const event of held) {
    const nextScrape = event.component === sample.component && sample.timestamp > event.detectedAt;
    const expired = sample.timestamp - event.detectedAt >= windowMs;
    (nextScrape || expired ? release : keep).push(event);
  }
  return { release, keep };
}

/**
 * Whether the scrape of a held event is in: every metric the component reports (fresh ones;
 * markers such as `deploy` aside) has a reading at the event's time or later. Then the event
 * need not wait for the next scrape or the window, so a whole scrape in costs no delay.
 */
export function scrapeComplete(
  event: Pick<ReliabilityEvent, 'component' | 'detectedAt'>,
  state: ComponentDetectorState | null | undefined,
  config: Pick<DetectorConfig, 'staleAfterMs'>,
): boolean {
  if (!state || state.component !== event.component) return false;
  // `up` 0 at the event's time: the target did not answer, nothing else of this scrape comes.
  const up = state.metrics['up'];
  if (up && up.value === 0 && up.observedAt >= event.detectedAt) return true;
  for (const [metric, m] of Object.entries(state.metrics)) {
    if (metric === 'deploy' || event.detectedAt - m.observedAt > config.staleAfterMs) continue;
    if (m.observedAt < event.detectedAt) return false;
  }
  return true;
}
