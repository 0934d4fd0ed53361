import type { MetricSample } from '@healstream/contracts';
import type { PromSample } from './prometheus-text.js';

/** Series parts of histograms and summaries: not a metric a policy reads. */
const INTERNAL = /_(bucket|sum|count|created|total)$/;

export interface TargetResult {
  component: string;
  /** The page, or why it could not be had (refused, timed out, HTTP status). */
  text?: string;
  error?: string;
  durationMs: number;
}

/**
 * One scrape as MetricSamples: each finite gauge of the page (labels kept, the component's own
 * label dropped), plus `up` (1 when the page was read, 0 when not: a crashed or hung component
 * still produces a sample) and `scrape_duration_ms`.
 */
export function toSamples(result: TargetResult, parsed: PromSample[], now: number): MetricSample[] {
  const meta: MetricSample[] = [
    {
      component: result.component,
      metric: 'up',
      value: result.error ? 0 : 1,
      timestamp: now,
      labels: result.error ? { error: result.error.slice(0, 200) } : {},
    },
    {
      component: result.component,
      metric: 'scrape_duration_ms',
      value: result.durationMs,
      timestamp: now,
      labels: {},
    },
  ];
  const seen = new Set<string>();
  const samples: MetricSample[] = [];
  for (const p of parsed) {
    if (INTERNAL.test(p.name) || !Number.isFinite(p.value) || seen.has(p.name)) continue;
    seen.add(p.name); // one value per metric per component: the first series on the page
    const { component: _component, ...labels } = p.labels;
    samples.push({
      component: result.component,
      metric: p.name,
      value: p.value,
      timestamp: p.timestamp ?? now,
      labels,
    });
  }
  return [...meta, ...samples];
}
