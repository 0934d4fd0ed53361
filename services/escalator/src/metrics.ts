import { Counter, Histogram, type Registry } from 'prom-client';

/** The escalator's own metrics, namespaced `healstream_escalator_`. */
export interface EscalatorMetrics {
  delivered: Counter<'sink' | 'source' | 'status'>;
  failed: Counter<'sink' | 'source' | 'reason'>;
  suppressed: Counter<'source'>;
  sinkSeconds: Histogram<'sink'>;
}

export function escalatorMetrics(registry: Registry): EscalatorMetrics {
  return {
    delivered: new Counter({
      name: 'healstream_escalator_pages_delivered_total',
      help: 'Pages (status TRIGGERED) and resolutions (RESOLVED) a sink accepted, per sink and source.',
      labelNames: ['sink', 'source', 'status'],
      registers: [registry],
    }),
    failed: new Counter({
      name: 'healstream_escalator_pages_failed_total',
      help: 'Delivery attempts that failed, per sink, source and reason (unavailable: retried; auth: 401/403, retried; rejected: other 4xx, not retried).',
      labelNames: ['sink', 'source', 'reason'],
      registers: [registry],
    }),
    suppressed: new Counter({
      name: 'healstream_escalator_pages_suppressed_total',
      help: 'Triggers not paged because a page with the same dedup key is open within the window.',
      labelNames: ['source'],
      registers: [registry],
    }),
    sinkSeconds: new Histogram({
      name: 'healstream_escalator_sink_seconds',
      help: 'Time of one delivery call to a sink, successful or not.',
      labelNames: ['sink'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
