import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The action-executor's own metrics (the loop's records/latency/lag come from the runtime). */
export interface ExecutorMetrics {
  attempts: Counter<'policy' | 'action'>;
  successes: Counter<'policy' | 'action'>;
  failures: Counter<'policy' | 'action' | 'status'>;
  skips: Counter<'reason'>;
  verifications: Counter<'verification'>;
  actionSeconds: Histogram<'action'>;
  inFlight: Gauge;
}

export function executorMetrics(registry: Registry): ExecutorMetrics {
  return {
    attempts: new Counter({
      name: 'healstream_healing_attempts_total',
      help: 'Actions started, per policy and action.',
      labelNames: ['policy', 'action'],
      registers: [registry],
    }),
    successes: new Counter({
      name: 'healstream_healing_successes_total',
      help: 'Actions that succeeded, per policy and action.',
      labelNames: ['policy', 'action'],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'healstream_healing_failures_total',
      help: 'Actions that failed or timed out (status), per policy and action; interrupted ones count as FAILED.',
      labelNames: ['policy', 'action', 'status'],
      registers: [registry],
    }),
    skips: new Counter({
      name: 'healstream_healing_skips_total',
      help: 'Commands answered without running anything, by reason (validation code, SHADOW, EXPIRED, DELEGATED_ONLY, DUPLICATE).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    verifications: new Counter({
      name: 'healstream_healing_verifications_total',
      help: 'Outcomes by verification result.',
      labelNames: ['verification'],
      registers: [registry],
    }),
    actionSeconds: new Histogram({
      name: 'healstream_action_duration_seconds',
      help: 'Time an action took, retries included.',
      labelNames: ['action'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'healstream_commands_in_flight',
      help: 'Commands whose actions or verification are running now.',
      registers: [registry],
    }),
  };
}
