import type { Diagnosis, Escalation, Severity } from '@healstream/contracts';
import { matchPolicy } from '../policy/match.js';
import type { Policy } from '../policy/types.js';
import { DEFAULT_DECISION_CONFIG, type DecisionConfig } from './config.js';
import { escalationIdFor } from './ids.js';
import { runbookLinks } from './runbooks.js';
import type { IncidentLadder } from './state.js';
import type { DecideInput, DecideResult } from './steps.js';

/** Policies named in an UNHANDLED page as the closest to matching. */
const ALMOST_SHOWN = 3;

interface Almost {
  policy: Policy;
  held: number;
  reason: string;
}

/**
 * The policies closest to acting on this diagnosis: those selecting the component, ranked by how
 * many of their conditions hold (then priority), each with the first condition that failed.
 */
export function almostMatched(input: DecideInput, now: number): Almost[] {
  const { diagnosis } = input;
  const componentLabels = input.components?.components.get(diagnosis.component)?.labels;
  const staleAfterMs = input.config?.staleAfterMs ?? DEFAULT_DECISION_CONFIG.staleAfterMs;
  const match = (policy: Policy) =>
    matchPolicy(policy, { diagnosis, now, staleAfterMs, componentLabels });
  const found: Almost[] = [];
  for (const policy of input.policies) {
    if (!policy.enabled) continue;
    const whole = match(policy);
    if (whole.matched || whole.reason.endsWith('not selected')) continue;
    const held = policy.conditions.filter(
      (c) => match({ ...policy, conditions: [c] }).matched,
    ).length;
    found.push({ policy, held, reason: whole.reason });
  }
  const share = (a: Almost) => a.held / a.policy.conditions.length;
  return found
    .sort((a, b) => share(b) - share(a) || b.policy.priority - a.policy.priority)
    .slice(0, ALMOST_SHOWN);
}

function severityOf(diagnosis: Diagnosis, incident: IncidentLadder): Severity {
  // A cleared event is INFO, but the incident it belongs to is not over.
  if (diagnosis.severity !== 'INFO') return diagnosis.severity;
  return incident.unhandledSeverity === 'CRITICAL' ? 'CRITICAL' : 'WARNING';
}

function unhandledPage(
  input: DecideInput,
  incident: IncidentLadder,
  after: number,
  now: number,
): Escalation {
  const { diagnosis } = input;
  const minutes = Math.round((now - incident.openedAt) / 60_000);
  const top = diagnosis.causes[0];
  const almost = almostMatched(input, now);
  const details = [
    ...diagnosis.anomalies.map(
      (a) => `anomaly: ${a.metric} ${a.value} (expected about ${a.baseline}, ${a.detector})`,
    ),
    ...diagnosis.causes.flatMap((c) => [
      `cause: ${c.cause} ${c.confidence.toFixed(2)}`,
      ...c.evidence.map((e) => `  - ${e}`),
    ]),
    almost.length > 0 ? 'policies that almost matched:' : 'no policy selects this component',
    ...almost.map(
      (a) =>
        `  - ${a.policy.name} (${a.held}/${a.policy.conditions.length} conditions hold): ${a.reason}`,
    ),
  ];
  return {
    escalationId: escalationIdFor('unhandled', diagnosis.incidentId),
    source: 'UNHANDLED',
    incidentId: diagnosis.incidentId,
    component: diagnosis.component,
    severity: severityOf(diagnosis, incident),
    summary:
      `${diagnosis.component}: anomalous for ${minutes} min and no policy acts on it ` +
      `(paged after ${Math.round(after / 1000)} s); probable cause ${top ? `${top.cause} (confidence ${top.confidence.toFixed(2)})` : 'unknown'}`,
    details: details.join('\n'),
    actionsTried: [],
    channel: '',
    dedupKey: `healstream/incident/${diagnosis.incidentId}`,
    status: 'TRIGGERED',
    createdAt: now,
    links: runbookLinks(
      diagnosis.component,
      almost.map((a) => a.policy),
      input.components,
    ),
  };
}

/**
 * An incident nobody acts on is paged once it lasts `unhandledPageAfterMs`: every step so far
 * ended NO_MATCH (nothing was ever dispatched), so without this only the audit trail knew.
 * Called on every decide result; adds at most one UNHANDLED page per incident.
 */
export function pageIfUnhandled(
  result: DecideResult,
  input: DecideInput,
  config: DecisionConfig,
): DecideResult {
  const after = config.unhandledPageAfterMs;
  const { diagnosis, now } = input;
  const incident = result.state.incidents[diagnosis.incidentId];
  if (!incident || after === null || diagnosis.kind === 'RESOLVED') return result;
  if (diagnosis.severity === 'CRITICAL') incident.unhandledSeverity = 'CRITICAL';
  if (
    result.decision.verdict !== 'NO_MATCH' ||
    incident.attempts > 0 ||
    incident.closedAt !== null ||
    incident.unhandledPaged === true ||
    now - incident.openedAt < after
  )
    return result;
  incident.unhandledPaged = true;
  return {
    ...result,
    escalations: [...result.escalations, unhandledPage(input, incident, after, now)],
  };
}
