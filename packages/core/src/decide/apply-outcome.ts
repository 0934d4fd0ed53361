import type { HealingOutcome } from '@healstream/contracts';
import { DEFAULT_DECISION_CONFIG, type DecisionConfig } from './config.js';
import { recordAttempt } from './effectiveness.js';
import { noteRecovered } from './flapping.js';
import { editIncident, pruneState, type EvaluatorState, type IncidentLadder } from './state.js';

/** RECOVERED only when every action succeeded (or was delegated) and verification says so. */
export function outcomeResult(
  outcome: HealingOutcome,
): 'RECOVERED' | 'NOT_RECOVERED' | 'FAILED' | 'UNKNOWN' {
  if (outcome.actions.some((a) => a.status === 'FAILED' || a.status === 'TIMED_OUT'))
    return 'FAILED';
  if (outcome.actions.length > 0 && outcome.actions.every((a) => a.status === 'SKIPPED'))
    return 'FAILED';
  return outcome.verification;
}

/**
 * Folds an outcome into the state: the component's in-flight slot is freed (when it holds this
 * command), the attempt's result is recorded, and a FAILED, NOT_RECOVERED or UNKNOWN result
 * marks the policy tried for the incident, so the next diagnosis climbs the ladder. UNKNOWN
 * counts as tried: repeating an action whose effect nobody could verify is not safer.
 * Outcomes of SHADOW commands change nothing.
 */
export function applyOutcome(
  input: EvaluatorState,
  outcome: HealingOutcome,
  now: number,
  config: DecisionConfig = DEFAULT_DECISION_CONFIG,
): EvaluatorState {
  const state = pruneState(input, now, config);
  if (outcome.mode === 'SHADOW') return state;
  if (state.inFlight[outcome.component]?.commandId === outcome.commandId)
    delete state.inFlight[outcome.component];
  const incident = editIncident(state, outcome.incidentId);
  if (!incident) return state;
  const result = outcomeResult(outcome);
  const attempt = incident.history.find((h) => h.commandId === outcome.commandId);
  if (attempt) {
    attempt.result = result;
    attempt.settledAt = now;
  }
  recordAttempt(state, incident, outcome, result, now, config.effectiveness);
  if (result === 'RECOVERED') noteRecovered(state, outcome.incidentId, incident, outcome, now);
  if (incident.closedAt === null) incident.lastSeenAt = Math.max(incident.lastSeenAt, now);
  if (result !== 'RECOVERED' && !incident.tried.includes(outcome.policy))
    incident.tried.push(outcome.policy);
  return state;
}

/**
 * The incident's attempt that reported RECOVERED after `now`, when it is the latest one to come
 * back: a diagnosis observed before that outcome (a lagging detector or diagnoser) saw the
 * component while the command was still in flight, and cannot judge the healing that followed.
 * Acting on it would heal again a component just verified recovered.
 */
export function recoveredSince(
  incident: IncidentLadder,
  now: number,
): IncidentLadder['history'][number] | undefined {
  let latest: IncidentLadder['history'][number] | undefined;
  for (const h of incident.history)
    if (h.settledAt !== null && (!latest || h.settledAt > (latest.settledAt ?? 0))) latest = h;
  return latest?.result === 'RECOVERED' && (latest.settledAt ?? 0) > now ? latest : undefined;
}
