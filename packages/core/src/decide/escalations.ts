import type { Diagnosis, Escalation } from '@healstream/contracts';
import type { DecisionConfig } from './config.js';
import { escalationIdFor } from './ids.js';
import type { IncidentLadder } from './state.js';

function topCause(diagnosis: Diagnosis): string {
  const cause = diagnosis.causes[0];
  return cause
    ? `${cause.cause} (confidence ${cause.confidence.toFixed(2)})`
    : 'no diagnosed cause';
}

function details(diagnosis: Diagnosis): string {
  const lines = diagnosis.causes.flatMap((c) => [
    `${c.cause} ${c.confidence.toFixed(2)}`,
    ...c.evidence.map((e) => `  - ${e}`),
  ]);
  return lines.join('\n');
}

/** Raised once per incident when the ladder is exhausted. Channel is left to the escalator's routing. */
export function ladderEscalation(
  diagnosis: Diagnosis,
  incident: IncidentLadder,
  reason: string,
  now: number,
): Escalation {
  return {
    escalationId: escalationIdFor('ladder', diagnosis.incidentId),
    source: 'LADDER_EXHAUSTED',
    incidentId: diagnosis.incidentId,
    component: diagnosis.component,
    severity: 'CRITICAL',
    summary: `${diagnosis.component}: automatic healing gave up (${reason}); probable cause ${topCause(diagnosis)}`,
    details: details(diagnosis),
    actionsTried: incident.history.map(
      (h) => `${h.policy} (attempt ${h.attempt}): ${h.result ?? 'no outcome'}`,
    ),
    channel: '',
    dedupKey: `healstream/incident/${diagnosis.incidentId}`,
    status: 'TRIGGERED',
    createdAt: now,
    links: [],
  };
}

/** One per budget window per partition (not one per skipped action); one page fleet-wide. */
export function stormEscalation(
  diagnosis: Diagnosis,
  window: 'minute' | 'hour',
  budget: number,
  config: DecisionConfig,
  now: number,
): Escalation {
  return {
    escalationId: escalationIdFor('storm', config.partition, window, now),
    source: 'STORM_BREAKER',
    incidentId: diagnosis.incidentId,
    component: diagnosis.component,
    severity: 'CRITICAL',
    summary:
      `healing budget exhausted on partition ${config.partition}: ${budget} dispatches per ${window} ` +
      `(fleet budget split over ${config.partitionCount} partitions); further actions are skipped until the window passes`,
    details: `first skipped: ${diagnosis.component} incident ${diagnosis.incidentId}, probable cause ${topCause(diagnosis)}`,
    actionsTried: [],
    channel: '',
    // Fleet-wide: every partition's evaluator trips its own share of the budget, and the
    // escalator pages once per dedup key and window, so a storm pages once, not per partition.
    dedupKey: `healstream/storm-breaker/${window}`,
    status: 'TRIGGERED',
    createdAt: now,
    links: [],
  };
}
