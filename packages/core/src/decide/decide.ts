import {
  approvalRuleFor,
  awaitingApprovalStep,
  pendingApprovalOf,
  requestApproval,
} from './approval.js';
import { DEFAULT_DECISION_CONFIG, type DecisionConfig } from './config.js';
import { stormEscalation } from './escalations.js';
import { evaluatePolicies, walkLadder } from './evaluate.js';
import { applyHolds, carryHolds } from './holds.js';
import { applyOverrides, controlGate, holdPages, noteOverrides } from './control-gate.js';
import { controlOf } from '../control/state.js';
import { recoveredSince } from './apply-outcome.js';
import { demoteIneffective, failPendingCures } from './effectiveness.js';
import { annotateFlapped, flapSuppression, noteIncidentOpened } from './flapping.js';
import { isClearedEvent } from '../detect/events.js';
import { limitHit } from './limits.js';
import { remedyView } from './remedies.js';
import { settleRemedy } from './remedy-choice.js';
import { withRunbooks } from './runbooks.js';
import { pageIfUnhandled } from './unhandled.js';
import { editIncident, pruneState, type IncidentLadder } from './state.js';
import {
  closeIfResolved,
  decisionsFor,
  dispatchStep,
  escalateStep,
  newIncident,
  noChoiceStep,
  result,
  shadowStep,
  type DecideInput,
  type DecideResult,
  type Step,
} from './steps.js';
import type { Audit, Choice } from './choice.js';
import type { PolicyEvaluation } from '@healstream/contracts';

export type { DecideInput, DecideResult };

/**
 * One incident step: which policy acts on this diagnosis, and the state after it.
 * Pure: same input, same output; `now` is the diagnosis record's time (or an injected clock).
 * The steps, in order: a resolved incident closes; holds are brought up to date; a cleared
 * metric, a command in flight or a spent ladder stop here; the ladder picks a policy (a shadow
 * one above it is recorded; a confident diagnosis has its remedy preferred, remedy-choice.ts);
 * with none, say why; an operator's lever (acknowledgement,
 * maintenance window, pause) or a budget may still hold it back; else dispatch.
 * Then an incident nothing ever acted on pages once it lasts (unhandled.ts), every page asked
 * for carries the runbooks (runbooks.ts), and a maintenance window may hold the pages.
 */
export function decide(input: DecideInput): DecideResult {
  const config = input.config ?? DEFAULT_DECISION_CONFIG;
  return holdPages(
    input,
    withRunbooks(pageIfUnhandled(decideStep(input, config), input, config), input),
  );
}

/** The candidates nothing else marked: tried for this incident, or passed over for `why`. */
function markRest(
  candidates: readonly { policy: { name: string }; entry: PolicyEvaluation }[],
  incident: IncidentLadder,
  outcome: string,
  why: string,
): void {
  for (const c of candidates) {
    if (c.entry.outcome !== 'no-match') continue;
    c.entry.outcome = incident.tried.includes(c.policy.name) ? 'tried' : outcome;
    c.entry.reason = incident.tried.includes(c.policy.name)
      ? `${c.entry.reason}; already tried for this incident`
      : `${c.entry.reason}; ${why}`;
  }
}

function decideStep(input: DecideInput, config: DecisionConfig): DecideResult {
  const { diagnosis, now } = input;
  const state = pruneState(input.state, now, config);
  const step: Step = {
    input,
    config,
    state,
    finish: decisionsFor(diagnosis, now),
    escalations: [],
  };
  const component = diagnosis.component;

  const existing = editIncident(state, diagnosis.incidentId);
  const closed = closeIfResolved(step, existing);
  if (closed) return closed;
  const incident = existing ?? newIncident(diagnosis, now);
  state.incidents[diagnosis.incidentId] = incident;
  incident.lastSeenAt = now;
  if (!existing) {
    // The cause is back: cures of it that had not lasted are failures; a quick return is a flap.
    failPendingCures(state, component, incident.cause);
    noteIncidentOpened(state, diagnosis.incidentId, incident, now, config.flap);
    // A re-opening moments after a resolution nothing acted on continues its holds.
    carryHolds(state, incident, now, config.holdCarryMs);
  }

  // The kill switch (POLICY_OVERRIDE) changes what a policy is for this step.
  const policies = applyOverrides(input.policies, controlOf(state));
  const { evaluated, candidates: matching } = evaluatePolicies(
    policies,
    diagnosis,
    input.components,
    config,
    now,
  );
  noteOverrides(evaluated, controlOf(state));
  const candidates = demoteIneffective(step, incident, matching);
  const held = applyHolds(evaluated, candidates, incident, now, input.whatIf);
  const untried = candidates.filter(
    (c) => c.policy.mode === 'enforce' && !incident.tried.includes(c.policy.name),
  );

  if (isClearedEvent(diagnosis) && !input.whatIf) {
    // The detector's word that a metric went back to normal: holds are brought up to date
    // (above), but nothing acts on it; the next anomalous event may.
    markRest(candidates, incident, 'not-selected', 'a metric cleared; holds updated');
    return result(
      step,
      step.finish('NO_MATCH', 'a metric went back to normal; holds updated', evaluated),
    );
  }

  const suppressed = flapSuppression(step, incident, evaluated);
  if (suppressed) return suppressed;

  const inFlight = state.inFlight[component];
  if (inFlight) {
    markRest(candidates, incident, 'not-selected', 'a command is in flight');
    const reason = `command ${inFlight.commandId} (${inFlight.policy}, attempt ${inFlight.attempt}) is in flight until ${new Date(inFlight.deadline).toISOString()}`;
    return result(
      step,
      step.finish('SKIPPED_IN_FLIGHT', reason, evaluated, {
        policy: untried[0]?.policy.name ?? null,
      }),
    );
  }

  const recovered = recoveredSince(incident, now);
  if (recovered) {
    markRest(candidates, incident, 'not-selected', 'observed before the last healing was verified');
    const reason = `observed at ${new Date(now).toISOString()}, while command ${recovered.commandId} (${recovered.policy}, attempt ${recovered.attempt}) was in flight; it reported RECOVERED at ${new Date(recovered.settledAt ?? now).toISOString()}, after this evidence`;
    return result(step, step.finish('SKIPPED_IN_FLIGHT', reason, evaluated));
  }

  const waiting = pendingApprovalOf(state, component);
  if (waiting) {
    markRest(candidates, incident, 'not-selected', 'a command waits for approval');
    return awaitingApprovalStep(step, waiting, evaluated);
  }

  if (incident.attempts >= config.maxAttempts) {
    markRest(candidates, incident, 'not-selected', 'ladder exhausted');
    return escalateStep(
      step,
      incident,
      evaluated,
      `${incident.attempts} attempts made for this incident (max_attempts ${config.maxAttempts})`,
    );
  }

  const remedy = remedyView(diagnosis, config.remedyMinConfidence);
  const walk = walkLadder(
    candidates,
    incident,
    state,
    input.components,
    component,
    now,
    held,
    remedy,
  );
  const { shadow: shadowPolicy, firstSkip } = walk;
  const { chosen, waiting: remedyWait } = settleRemedy(walk, {
    remedy,
    policies,
    incident,
    state,
    component,
    config,
    now,
    whatIf: input.whatIf,
  });
  annotateFlapped(evaluated, incident);
  const attempt = incident.attempts + 1;
  const audit: Audit = {
    shadow: null,
    commands: [],
  };
  if (shadowPolicy) {
    const shadow = shadowStep(step, shadowPolicy, evaluated, attempt);
    audit.shadow = shadow.decision;
    audit.commands.push(shadow.command);
  }

  if (remedyWait) return result(step, step.finish('NO_MATCH', remedyWait, evaluated), audit);
  if (!chosen) {
    if (untried.length === 0 && incident.tried.length > 0)
      markRest(candidates, incident, 'not-selected', 'ladder exhausted');
    return noChoiceStep(step, incident, evaluated, untried, firstSkip, audit);
  }

  const chosenEntry = evaluated.find((e) => e.policy === chosen.name);
  const choice: Choice = { incident, chosen, chosenEntry, evaluated, attempt, audit };
  const gated = controlGate(step, choice);
  if (gated) return gated;
  const limit = limitHit(state, component, config, now);
  if (limit) {
    if (limit.kind === 'fleet' && state.storm[limit.window] === null) {
      state.storm[limit.window] = now;
      step.escalations.push(stormEscalation(diagnosis, limit.window, limit.budget, config, now));
    }
    if (chosenEntry) {
      chosenEntry.outcome = 'rate-limit';
      chosenEntry.reason = `${chosenEntry.reason}; ${limit.reason}`;
    }
    return result(
      step,
      step.finish('SKIPPED_RATE_LIMIT', limit.reason, evaluated, { policy: chosen.name }),
      audit,
    );
  }
  const approval = approvalRuleFor(chosen, input.components, component);
  if (approval) return requestApproval(step, choice, approval);
  return dispatchStep(step, choice);
}
