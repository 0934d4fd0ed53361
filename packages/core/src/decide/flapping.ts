/**
 * Flap damping per component × cause, after BGP route-flap damping (RFC 2439). A healing that
 * reported RECOVERED is only as good as the quiet after it: when an incident of the same cause
 * re-opens on the component within the window, that healing is counted as failed for the
 * ladder (its policy is passed over by the new incident, which starts further up), and a
 * penalty is added that halves every half-life. At the suppress threshold nothing acts for the
 * cause and one FLAPPING page goes out instead; below the reuse threshold healing resumes.
 * All times are event times.
 */
import type {
  Diagnosis,
  Escalation,
  HealingOutcome,
  PolicyEvaluation,
} from '@healstream/contracts';
import type { FlapConfig } from './over-time-config.js';
import { escalationIdFor } from './ids.js';
import { decayedPenalty, type FlapRecord } from './over-time-state.js';
import type { EvaluatorState, IncidentLadder } from './state.js';
import { result, type DecideResult, type Step } from './steps.js';

const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
const minutes = (ms: number) => `${Math.round(ms / 6000) / 10}m`;
export const causeLabel = (cause: string) => cause || '(no cause)';

function flapOf(state: EvaluatorState, component: string, cause: string): FlapRecord | undefined {
  return state.flaps[component]?.[cause];
}

function ensureFlap(state: EvaluatorState, component: string, cause: string, now: number) {
  const byCause = (state.flaps[component] ??= {});
  return (byCause[cause] ??= {
    penalty: 0,
    at: now,
    flaps: 0,
    suppressed: false,
    suppressedAt: null,
    paged: false,
    recovered: null,
    tried: [],
  });
}

/** Suppress at the threshold, reuse below the lower one: the hysteresis of route-flap damping. */
function updateSuppression(flap: FlapRecord, now: number, config: FlapConfig): number {
  const penalty = decayedPenalty(flap, now, config);
  if (flap.suppressed && penalty < config.reuseBelow) {
    flap.suppressed = false;
    flap.suppressedAt = null;
    flap.paged = false;
  } else if (!flap.suppressed && penalty >= config.suppressAt) {
    flap.suppressed = true;
    flap.suppressedAt = now;
  }
  return penalty;
}

/**
 * A new incident opened. When it re-opens a cause within the window after the last healing that
 * reported RECOVERED, that is a flap: the penalty grows, and the policies whose cures flapped
 * are marked tried, so the ladder climbs. A re-open after the window starts the run over.
 */
export function noteIncidentOpened(
  state: EvaluatorState,
  incidentId: string,
  incident: IncidentLadder,
  now: number,
  config: FlapConfig,
): void {
  // "The same cause" needs a diagnosed one: the diagnoser always names one (unknown included),
  // a hand-made diagnosis without causes is never a flap.
  if (incident.cause === '') return;
  const flap = flapOf(state, incident.component, incident.cause);
  if (!flap) return;
  const recovered = flap.recovered;
  if (!recovered || recovered.incidentId === incidentId || now - recovered.at > config.windowMs) {
    flap.tried = [];
    flap.recovered = null;
    return;
  }
  flap.penalty = decayedPenalty(flap, now, config) + config.penalty;
  flap.at = now;
  flap.flaps += 1;
  if (!flap.tried.includes(recovered.policy)) flap.tried.push(recovered.policy);
  // The cure stays on record: every re-open within its window is one more flap of it, also
  // after an incident in between gave up (nothing cured that one).
  updateSuppression(flap, now, config);
  for (const policy of flap.tried)
    if (!incident.tried.includes(policy)) incident.tried.push(policy);
  incident.flap = {
    previousIncidentId: recovered.incidentId,
    policy: recovered.policy,
    penalty: flap.penalty,
    policies: [...flap.tried],
  };
}

/** A healing reported RECOVERED: a re-open of its cause within the window will be a flap. */
export function noteRecovered(
  state: EvaluatorState,
  incidentId: string,
  incident: IncidentLadder,
  outcome: HealingOutcome,
  now: number,
): void {
  if (incident.cause === '') return;
  const flap = ensureFlap(state, incident.component, incident.cause, now);
  flap.recovered = { at: now, policy: outcome.policy, incidentId };
}

/** The policies this incident passes over because their cures flapped say so in the decision. */
export function annotateFlapped(evaluated: PolicyEvaluation[], incident: IncidentLadder): void {
  const flap = incident.flap;
  if (!flap) return;
  for (const entry of evaluated) {
    if (entry.outcome !== 'tried') continue;
    if (!flap.policies.includes(entry.policy)) continue;
    entry.reason = `${entry.reason} (counted as failed: ${causeLabel(incident.cause)} re-opened after incident ${flap.previousIncidentId} recovered; flap penalty ${flap.penalty.toFixed(2)})`;
  }
}

function flappingEscalation(
  diagnosis: Diagnosis,
  incident: IncidentLadder,
  flap: FlapRecord,
  penalty: number,
  config: FlapConfig,
  now: number,
): Escalation {
  const cause = causeLabel(incident.cause);
  return {
    escalationId: escalationIdFor(
      'flapping',
      diagnosis.component,
      incident.cause,
      flap.suppressedAt ?? now,
    ),
    source: 'FLAPPING',
    incidentId: diagnosis.incidentId,
    component: diagnosis.component,
    severity: 'CRITICAL',
    summary:
      `${diagnosis.component} is flapping: ${cause} came back ${times(flap.flaps)} right after a healing reported it recovered; ` +
      `automatic healing of this cause is suppressed until the flap penalty (${penalty.toFixed(2)}) decays below ${config.reuseBelow}`,
    details:
      `flap damping: +${config.penalty} per re-open within ${minutes(config.windowMs)} of a recovery, ` +
      `half-life ${minutes(config.halfLifeMs)}, suppress at ${config.suppressAt}, reuse below ${config.reuseBelow}`,
    actionsTried: flap.tried.map(
      (p) => `${p}: RECOVERED, then ${cause} re-opened (counted as failed)`,
    ),
    channel: '',
    dedupKey: `healstream/flapping/${diagnosis.component}/${incident.cause}`,
    status: 'TRIGGERED',
    createdAt: now,
    links: [],
  };
}

/**
 * While the incident's component × cause is suppressed, nothing acts: the decision is
 * SKIPPED_FLAPPING with the penalty in its reason, and the first such decision of a suppression
 * pages once (source FLAPPING).
 */
export function flapSuppression(
  step: Step,
  incident: IncidentLadder,
  evaluated: PolicyEvaluation[],
): DecideResult | null {
  const { diagnosis, now } = step.input;
  const config = step.config.flap;
  const flap = flapOf(step.state, incident.component, incident.cause);
  if (!flap) return null;
  const penalty = updateSuppression(flap, now, config);
  if (!flap.suppressed) return null;
  if (!flap.paged) {
    flap.paged = true;
    step.escalations.push(flappingEscalation(diagnosis, incident, flap, penalty, config, now));
  }
  for (const entry of evaluated)
    if (entry.matched && entry.outcome === 'no-match') {
      entry.outcome = 'not-selected';
      entry.reason = `${entry.reason}; suppressed: flapping`;
    }
  const reason =
    `flapping: ${causeLabel(incident.cause)} re-opened ${times(flap.flaps)} after a recovery; ` +
    `penalty ${penalty.toFixed(2)} ≥ suppress ${config.suppressAt} (reuse below ${config.reuseBelow}, half-life ${minutes(config.halfLifeMs)}); not acting, paged`;
  return result(step, step.finish('SKIPPED_FLAPPING', reason, evaluated));
}
