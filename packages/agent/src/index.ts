/**
 * A metrics agent: scrapes Prometheus text pages and publishes MetricSamples to Kafka, with
 * counters as rates and histograms as quantiles computed as PromQL does.
 *
 *   const agent = new MetricsAgent({ targets: [{ component: 'payments', url: 'http://127.0.0.1:7101/metrics' }], ... });
 *   agent.start();
 */
export { MetricsAgent, scrape, type AgentOptions, type ScrapeTarget } from './agent.js';
export { parsePrometheusText, type PromSample } from './prometheus-text.js';
export { toSamples, metaSamples, pagePoints, type TargetResult } from './to-samples.js';
export { histogramQuantile, quantileSuffix, type Bucket } from './histogram-quantile.js';
export { classify, type MetricType, type SeriesRole } from './classify.js';
export { SeriesTracker } from './series-tracker.js';
export type { TrackerBatch } from './tracker-batch.js';
export type {
  CounterSelector,
  Derived,
  Point,
  RatioRule,
  TrackerOptions,
} from './tracker-types.js';
export { loadTargets, parseTargets, targetsFileSchema, type AgentSettings } from './targets.js';
export { runAgentService, type AgentServiceDeps, type RunningAgent } from './service.js';
