import type { IncidentTopic, ReliabilityEvent, TaggedRecord } from '@healstream/contracts';

/** The records of one incident's story, in the order the pipeline writes them. */
export type ScenarioRecord = TaggedRecord<IncidentTopic>;

export interface ScenarioOptions {
  id: string;
  component?: string;
  team?: string;
  /** Epoch ms of the first anomaly. */
  t0: number;
  cause?: string;
  policy?: string;
  /** Whether the restart recovers the component (else a page is sent and it stays open). */
  recovers?: boolean;
  /** Anomalous readings before the decision (each a chart point). */
  readings?: number;
}

/**
 * A healing scenario as records: latency crosses its 500 ms threshold, the diagnoser blames the
 * connection pool, the evaluator picks a restart over a lower-priority policy, the executor
 * restarts, verification says recovered (or not: then a page) and the component resolves.
 */
export function incidentScenario(o: ScenarioOptions): ScenarioRecord[] {
  const component = o.component ?? 'payments';
  const cause = o.cause ?? 'connection-pool-exhaustion';
  const policy = o.policy ?? 'Critical Latency Spike';
  const recovers = o.recovers ?? true;
  const labels = { version: 'v42', ...(o.team ? { team: o.team } : {}) };
  const n = o.readings ?? 4;
  const events: ScenarioRecord[] = Array.from({ length: n }, (_, i) => {
    const at = o.t0 + i * 1000;
    const latency = 520 + i * 40;
    return {
      logical: 'reliability-events',
      value: {
        eventId: `${o.id}-ev-${i}`,
        incidentId: o.id,
        component,
        kind: 'ANOMALY',
        severity: 'CRITICAL',
        detectedAt: at,
        snapshot: [
          { metric: 'latency_p99_ms', value: latency, observedAt: at },
          { metric: 'db_pool_utilization', value: 0.97, observedAt: at },
        ],
        anomalies: [
          {
            metric: 'latency_p99_ms',
            value: latency,
            baseline: 500,
            score: 1,
            detector: 'threshold',
          },
        ],
        labels,
        forecasts: [],
      },
    };
  });
  const last = events[n - 1]?.value as ReliabilityEvent;
  const tDecide = o.t0 + n * 1000;
  const commandId = `${o.id}-cmd-1`;
  const story: ScenarioRecord[] = [
    ...events,
    {
      logical: 'diagnoses',
      value: {
        ...last,
        diagnosedAt: tDecide - 500,
        causes: [
          { cause, confidence: 0.82, evidence: ['db_pool_utilization 0.97 ≥ 0.95'] },
          { cause: 'unknown', confidence: 0.1, evidence: ['no other rule matched'] },
        ],
      },
    },
    {
      logical: 'healing-decisions',
      value: {
        decisionId: `${o.id}-dec-1`,
        incidentId: o.id,
        component,
        eventId: last.eventId,
        verdict: 'DISPATCHED',
        policy,
        commandId,
        attempt: 1,
        reason: 'highest-priority matching policy not in cooldown',
        evaluated: [
          {
            policy,
            priority: 10,
            matched: true,
            outcome: 'chosen',
            reason: 'latency_p99_ms 640 > 500',
          },
          {
            policy: 'High Error Rate',
            priority: 9,
            matched: false,
            outcome: 'no-match',
            reason: 'error_rate absent',
          },
        ],
        decidedAt: tDecide,
        causes: [cause],
      },
    },
    {
      logical: 'healing-commands',
      value: {
        commandId,
        incidentId: o.id,
        component,
        policy: { name: policy, priority: 10 },
        actions: [{ name: 'restart-service', params: { graceful: 'true' } }],
        attempt: 1,
        issuedAt: tDecide,
        deadline: tDecide + 60_000,
        mode: 'ENFORCE',
        reason: 'latency_p99_ms 640 > 500',
      },
    },
    {
      logical: 'healing-outcomes',
      value: {
        commandId,
        incidentId: o.id,
        component,
        policy,
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
        verification: recovers ? 'RECOVERED' : 'NOT_RECOVERED',
        verificationDetail: recovers ? 'latency_p99_ms back under 500' : 'latency_p99_ms still 640',
        startedAt: tDecide + 100,
        finishedAt: tDecide + 2500,
      },
    },
  ];
  if (!recovers)
    story.push({
      logical: 'escalations',
      value: {
        escalationId: `${o.id}-esc-1`,
        source: 'HEALING_FAILED',
        incidentId: o.id,
        component,
        severity: 'CRITICAL',
        summary: `${component}: ${policy} did not recover it`,
        details: `diagnosis: ${cause} (0.82)`,
        actionsTried: [`${policy}: restart-service → NOT_RECOVERED`],
        channel: 'webhook',
        dedupKey: `healstream/${component}/${o.id}`,
        status: 'TRIGGERED',
        createdAt: tDecide + 2600,
        links: [],
      },
    });
  else
    story.push({
      logical: 'reliability-events',
      value: {
        ...last,
        eventId: `${o.id}-ev-resolved`,
        kind: 'RESOLVED',
        severity: 'INFO',
        detectedAt: tDecide + 4000,
        snapshot: [{ metric: 'latency_p99_ms', value: 180, observedAt: tDecide + 4000 }],
        anomalies: [],
      },
    });
  return story;
}
