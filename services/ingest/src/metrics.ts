import { Counter, Histogram, type Registry } from 'prom-client';
import { loopMetrics } from '@healstream/runtime';

/** The ingest service's metrics; records out per topic is the runtime's, as every stage's. */
export function ingestMetrics(registry: Registry) {
  return {
    recordsOut: loopMetrics(registry).recordsOut,
    requests: new Counter({
      name: 'healstream_ingest_requests_total',
      help: 'Requests by endpoint (remote_write, alertmanager) and answer (2xx, 400, 413, 503).',
      labelNames: ['endpoint', 'code'],
      registers: [registry],
    }),
    seriesDropped: new Counter({
      name: 'healstream_ingest_series_dropped_total',
      help: 'remote_write series not published, by reason (no_component label, series_limit).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'healstream_ingest_request_seconds',
      help: 'Time from request to answer, publishing included.',
      labelNames: ['endpoint'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type IngestMetrics = ReturnType<typeof ingestMetrics>;
