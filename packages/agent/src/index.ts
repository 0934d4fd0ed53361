/**
 * A metrics agent: scrapes Prometheus text pages and publishes MetricSamples to Kafka, with
 * counters as rates and histograms as quantiles computed as PromQL does.
 *
 *   const agent = new MetricsAgent({ targets: [{ component: 'payments', url: 'http://127.0.0.1:7101/metrics' }], ... });
 *   agent.start();
 */
export { MetricsAgent } from './agent.js';
export { parsePrometheusText } from './prometheus-text.js';
export { histogramQuantile } from './histogram-quantile.js';
export { type MetricType } from './classify.js';
export { SeriesTracker } from './series-tracker.js';
export type { Derived, Point } from './tracker-types.js';
export { loadTargets } from './targets.js';
export { runAgentService } from './service.js';
