import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry };

/** The metrics every consumer loop keeps; names are namespaced `healstream_`. */
export interface LoopMetrics {
  recordsIn: Counter<'topic'>;
  recordsOut: Counter<'topic'>;
  deadLetters: Counter<'topic' | 'code'>;
  processingSeconds: Histogram<'topic'>;
  transactionAborts: Counter<'topic' | 'reason'>;
  consumerLag: Gauge<'topic' | 'partition'>;
  partitionStalled: Gauge<'topic' | 'partition'>;
  partitionHalted: Gauge<'topic' | 'partition'>;
  restoreSeconds: Histogram<'topic'>;
  consumerReplacements: Counter<'reason'>;
}

export function createRegistry(service: string, withDefaults = true): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'healstream_process_' });
  return registry;
}

export function loopMetrics(registry: Registry): LoopMetrics {
  const existing = registry.getSingleMetric('healstream_records_in_total');
  if (existing) return cachedLoopMetrics.get(registry) as LoopMetrics;
  const metrics: LoopMetrics = {
    recordsIn: new Counter({
      name: 'healstream_records_in_total',
      help: 'Records consumed, per input topic.',
      labelNames: ['topic'],
      registers: [registry],
    }),
    recordsOut: new Counter({
      name: 'healstream_records_out_total',
      help: 'Records produced, per output topic.',
      labelNames: ['topic'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'healstream_dead_letters_total',
      help: 'Records sent to a dead-letter topic, per input topic and error code.',
      labelNames: ['topic', 'code'],
      registers: [registry],
    }),
    processingSeconds: new Histogram({
      name: 'healstream_processing_seconds',
      help: 'Time to process and commit one transaction of records.',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    transactionAborts: new Counter({
      name: 'healstream_transaction_aborts_total',
      help: 'Transactions aborted, by reason (retriable, fenced).',
      labelNames: ['topic', 'reason'],
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'healstream_consumer_lag',
      help: "Records not yet committed per assigned partition: the broker's last stable offset minus the group's committed offset, refreshed from the broker.",
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
    partitionStalled: new Gauge({
      name: 'healstream_partition_stalled',
      help: 'Per assigned partition: 1 while it has input and no transaction of it committed for HEALSTREAM_STALL_SECONDS (readiness is then false), else 0.',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
    partitionHalted: new Gauge({
      name: 'healstream_partition_halted',
      help: 'Per input partition: 1 once the broker refused its transaction with a non-retriable error (MESSAGE_TOO_LARGE, not authorised); it is then paused until it leaves this instance.',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
    restoreSeconds: new Histogram({
      name: 'healstream_state_restore_seconds',
      help: "Time to restore a partition's state from its changelog.",
      labelNames: ['topic'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    consumerReplacements: new Counter({
      name: 'healstream_consumer_replacements_total',
      help: 'Kafka consumers replaced by a new member of the group, by reason: crashed (kafkajs gave up on it) or not-joined (out of the group past the rejoin deadline).',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
  cachedLoopMetrics.set(registry, metrics);
  return metrics;
}

const cachedLoopMetrics = new WeakMap<Registry, LoopMetrics>();
