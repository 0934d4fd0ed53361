import type { MetricSample } from '@healstream/contracts';
import type { PromSample } from './prometheus-text.js';
import { SeriesTracker } from './series-tracker.js';
import type { TrackerBatch } from './tracker-batch.js';
import type { Point } from './tracker-types.js';

export interface TargetResult {
  component: string;
  /** The page, or why it could not be had (refused, timed out, HTTP status). */
  text?: string;
  error?: string;
  durationMs: number;
}

/** `up` (1 when the page was read, 0 when not: a crashed or hung component still produces a sample) and `scrape_duration_ms`. */
export function metaSamples(result: TargetResult, now: number): MetricSample[] {
  return [
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
}

/** A page's samples as the component's points, its own `component` label dropped. */
export function pagePoints(component: string, parsed: PromSample[], now: number): Point[] {
  return parsed.map((p) => {
    const { component: _component, ...labels } = p.labels;
    return { component, name: p.name, labels, value: p.value, timestamp: p.timestamp ?? now };
  });
}

/**
 * One scrape as MetricSamples: `up` and `scrape_duration_ms`, each gauge of the page (labels
 * kept), and the rates, quantiles and ratios the batch derives (see SeriesTracker). Without a
 * batch, a fresh tracker is used: a first scrape, so gauges only.
 */
export function toSamples(
  result: TargetResult,
  parsed: PromSample[],
  now: number,
  batch: TrackerBatch = new SeriesTracker({
    quantiles: [],
    ratios: [],
    staleAfterMs: 300_000,
    maxSeries: Number.MAX_SAFE_INTEGER,
  }).begin(),
): MetricSample[] {
  const derived = result.error
    ? []
    : batch.add(pagePoints(result.component, parsed, now), [result.component]);
  return [...metaSamples(result, now), ...derived];
}
