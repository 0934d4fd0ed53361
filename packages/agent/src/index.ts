/**
 * A metrics agent: scrapes Prometheus text pages and publishes MetricSamples to Kafka.
 *
 *   const agent = new MetricsAgent({ targets: [{ component: 'payments', url: 'http://127.0.0.1:7101/metrics' }], ... });
 *   agent.start();
 */
export { MetricsAgent } from './agent.js';
export { parsePrometheusText } from './prometheus-text.js';
