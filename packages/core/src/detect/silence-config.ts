import { z } from 'zod';

/**
 * Silence detection (docs/healing-over-time.md). A component is silent when it has not been
 * heard from for `afterIntervals` of its expected sample interval, and never less than
 * `minSilenceMs`: the interval comes from `intervals` (components.yaml `sample_interval_ms`),
 * else it is learnt as the median gap between the component's arrivals.
 */
export const silenceConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  afterIntervals: z.number().min(1).default(3),
  /** The floor: one slow scrape or a restart's few seconds are no crash. */
  minSilenceMs: z.number().int().min(100).default(10_000),
  /** component → expected sample interval (ms); the others are learnt. */
  intervals: z.record(z.string(), z.number().int().min(1)).default({}),
  /** Gaps needed before a learnt interval is used; until then only the floor applies. */
  learnFrom: z.number().int().min(1).max(31).default(5),
  /**
   * Metrics a scraper adds about a component (not the component speaking): they do not count
   * as hearing from it, except `up` above 0 (the scrape got an answer).
   */
  agentMetrics: z.array(z.string()).default(['up', 'scrape_duration_ms']),
  /** Partition time between two silence checks. */
  checkEveryMs: z.number().int().min(100).default(1000),
  /** A component silent this long is forgotten (decommissioned): its state is dropped. */
  forgetAfterMs: z.number().int().min(1000).default(86_400_000),
});

export type SilenceConfig = z.infer<typeof silenceConfigSchema>;

export const DEFAULT_SILENCE: SilenceConfig = {
  enabled: true,
  afterIntervals: 3,
  minSilenceMs: 10_000,
  intervals: {},
  learnFrom: 5,
  agentMetrics: ['up', 'scrape_duration_ms'],
  checkEveryMs: 1000,
  forgetAfterMs: 86_400_000,
};
