import { controlRecord } from './control.js';
import type {
  Diagnosis,
  Escalation,
  HealingCommand,
  HealingDecision,
  HealingOutcome,
  MetricSample,
  ReliabilityEvent,
} from './generated/records.js';
import type { RecordName } from './schemas.js';

const t = Date.UTC(2026, 0, 1, 12, 0, 0);
const anomaly = {
  metric: 'latency_p99',
  value: 600,
  baseline: 120,
  score: 0.99,
  detector: 'threshold',
};
const snapshot = [
  { metric: 'latency_p99', value: 600, observedAt: t },
  { metric: 'error_rate', value: 0.2, observedAt: t },
];
const event = {
  eventId: 'ev-1',
  incidentId: 'inc-payments-1',
  component: 'payments',
  kind: 'ANOMALY',
  severity: 'CRITICAL',
  detectedAt: t,
  snapshot,
  anomalies: [anomaly],
  labels: { version: 'v42' },
  forecasts: [],
} satisfies ReliabilityEvent;

/** One valid example of every record, for docs, tests and `healstream publish --example`. */
export const examples = {
  MetricSample: {
    component: 'payments',
    metric: 'latency_p99',
    value: 600,
    timestamp: t,
    labels: { version: 'v42' },
  } satisfies MetricSample,
  ReliabilityEvent: event,
  Diagnosis: {
    ...event,
    diagnosedAt: t + 5,
    causes: [
      {
        cause: 'connection-pool-exhaustion',
        confidence: 0.8,
        evidence: ['db_pool_utilization 0.98 ≥ 0.95'],
      },
    ],
  } satisfies Diagnosis,
  HealingCommand: {
    commandId: 'cmd-1',
    incidentId: 'inc-payments-1',
    component: 'payments',
    policy: { name: 'Critical Latency Spike', priority: 10 },
    actions: [{ name: 'restart-service', params: { graceful: 'true' } }],
    attempt: 1,
    issuedAt: t,
    deadline: t + 60_000,
    mode: 'ENFORCE',
    reason: 'latency_p99 600 > 500',
  } satisfies HealingCommand,
  HealingDecision: {
    decisionId: 'dec-1',
    incidentId: 'inc-payments-1',
    component: 'payments',
    eventId: 'ev-1',
    verdict: 'DISPATCHED',
    policy: 'Critical Latency Spike',
    commandId: 'cmd-1',
    attempt: 1,
    reason: 'highest-priority matching policy not in cooldown',
    evaluated: [
      {
        policy: 'Critical Latency Spike',
        priority: 10,
        matched: true,
        outcome: 'chosen',
        reason: 'latency_p99 600 > 500',
      },
      {
        policy: 'High Error Rate',
        priority: 9,
        matched: true,
        outcome: 'lower-priority',
        reason: 'error_rate 0.2 > 0.1',
      },
    ],
    decidedAt: t,
    causes: ['connection-pool-exhaustion'],
  } satisfies HealingDecision,
  HealingOutcome: {
    commandId: 'cmd-1',
    incidentId: 'inc-payments-1',
    component: 'payments',
    policy: 'Critical Latency Spike',
    attempt: 1,
    mode: 'ENFORCE',
    actions: [
      {
        name: 'restart-service',
        status: 'SUCCEEDED',
        durationMs: 1200,
        error: null,
        detail: 'pid 101 → 202',
      },
    ],
    verification: 'RECOVERED',
    verificationDetail: 'health check 200 after 1.1s',
    startedAt: t,
    finishedAt: t + 2500,
  } satisfies HealingOutcome,
  Escalation: {
    escalationId: 'esc-1',
    source: 'LADDER_EXHAUSTED',
    incidentId: 'inc-payments-1',
    component: 'payments',
    severity: 'CRITICAL',
    summary: 'payments: healing exhausted after 3 attempts',
    details: 'diagnosis: connection-pool-exhaustion (0.8)',
    actionsTried: ['Critical Latency Spike: restart-service → NOT_RECOVERED'],
    channel: 'alertmanager',
    dedupKey: 'healstream/payments/inc-payments-1',
    status: 'TRIGGERED',
    createdAt: t,
    links: [],
  } satisfies Escalation,
  ControlRecord: controlRecord({
    controlId: 'maintenance:db-migration',
    kind: 'MAINTENANCE',
    scope: { all: false, component: 'payments', team: null, labels: {} },
    startsAt: t,
    endsAt: t + 3_600_000,
    author: 'alice',
    comment: 'payments database migration',
    createdAt: t,
  }),
} satisfies Record<RecordName, unknown>;
