/**
 * The operators' levers in a decision: the kill switch changes what a policy is for this step;
 * the gate turns a would-be dispatch into SKIPPED_ACKNOWLEDGED, SKIPPED_MAINTENANCE or (paused)
 * SHADOW; a window that holds pages keeps the evaluator's pages for its components back.
 */
import type { Diagnosis, Escalation, PolicyEvaluation } from '@healstream/contracts';
import type { Policy } from '../policy/types.js';
import { describeScope, leverActive, leverEndsAt, scopeCovers } from '../control/scope.js';
import { controlOf, type ControlLever, type ControlState } from '../control/state.js';
import { escalationIdFor, decisionIdFor } from './ids.js';
import { result, shadowStep, type DecideInput, type DecideResult, type Step } from './steps.js';
import type { Choice } from './choice.js';

const who = (l: { author: string; comment: string }) =>
  `${l.author}${l.comment ? ` (${l.comment})` : ''}`;

const until = (l: ControlLever, at: number) => {
  const end = leverEndsAt(l, at);
  return end === null ? 'until ended' : `until ${new Date(end).toISOString()}`;
};

/** The policies as the kill switch has them now: disabled or forced to a mode at run time. */
export function applyOverrides(policies: readonly Policy[], control: ControlState): Policy[] {
  if (Object.keys(control.overrides).length === 0) return [...policies];
  return policies.map((p) => {
    const o = control.overrides[p.name];
    if (!o) return p;
    if (o.mode === 'disabled') return { ...p, enabled: false };
    return { ...p, mode: o.mode };
  });
}

/** Says in each overridden policy's `evaluated` entry who switched it and why. */
export function noteOverrides(evaluated: PolicyEvaluation[], control: ControlState): void {
  for (const entry of evaluated) {
    const o = control.overrides[entry.policy];
    if (!o) continue;
    const note = `kill switch ${o.controlId}: ${o.mode} by ${who(o)}`;
    entry.reason = o.mode === 'disabled' ? note : `${entry.reason}; ${note}`;
  }
}

/** The first lever in force at `at` covering the component, by controlId for a stable answer. */
function leverFor(
  levers: Record<string, ControlLever>,
  input: DecideInput,
  at: number,
): ControlLever | undefined {
  return Object.values(levers)
    .filter(
      (l) =>
        leverActive(l, at) && scopeCovers(l.scope, input.diagnosis.component, input.components),
    )
    .sort((a, b) => (a.controlId < b.controlId ? -1 : a.controlId > b.controlId ? 1 : 0))[0];
}

/** The window in force for this diagnosis's component, if any. */
export function maintenanceFor(input: DecideInput, control: ControlState) {
  return leverFor(control.windows, input, input.now);
}

function maintenancePage(
  diagnosis: Diagnosis,
  window: ControlLever,
  chosen: Policy,
  now: number,
): Escalation {
  return {
    escalationId: escalationIdFor('maintenance', diagnosis.incidentId, window.controlId),
    source: 'UNHANDLED',
    incidentId: diagnosis.incidentId,
    component: diagnosis.component,
    severity: diagnosis.severity,
    summary: `${diagnosis.component}: ${chosen.name} held back by maintenance window ${window.controlId} (${who(window)}); no automatic action until it ends`,
    details: `would run ${chosen.actions.map((a) => a.name).join(', ')}; window covers ${describeScope(window.scope)} ${until(window, now)}`,
    actionsTried: [],
    channel: '',
    dedupKey: `healstream/incident/${diagnosis.incidentId}`,
    status: 'TRIGGERED',
    createdAt: now,
    links: [],
  };
}

/**
 * Called with the policy that would be dispatched: an acknowledged incident, a maintenance
 * window or a pause stops it here, with its own verdict and a reason naming the lever. Nothing
 * of the ladder, cooldowns or budgets moves: the step did not act. Returns null to dispatch.
 */
export function controlGate(step: Step, choice: Choice): DecideResult | null {
  const { incident, chosen, chosenEntry, evaluated, attempt, audit } = choice;
  const { input, state } = step;
  const { diagnosis, now } = input;
  const control = controlOf(state);
  const would = `would run ${chosen.actions.map((a) => a.name).join(', ')} (${chosen.name})`;
  const mark = (outcome: string, why: string) => {
    if (!chosenEntry) return;
    chosenEntry.outcome = outcome;
    chosenEntry.reason = `${chosenEntry.reason}; ${why}`;
  };

  const ack = control.acks[diagnosis.incidentId];
  if (ack) {
    const reason = `incident acknowledged by ${who(ack)} at ${new Date(ack.createdAt).toISOString()}: no further automatic action until it resolves; ${would}`;
    mark('acknowledged', `held: ${ack.controlId}`);
    return result(
      step,
      step.finish('SKIPPED_ACKNOWLEDGED', reason, evaluated, { policy: chosen.name }),
      audit,
    );
  }

  const window = maintenanceFor(input, control);
  if (window) {
    const paged = incident.controlPaged.includes(window.controlId);
    let pages: string;
    if (window.holdPages) pages = 'pages held';
    else if (paged) pages = 'page already sent';
    else {
      incident.controlPaged.push(window.controlId);
      step.escalations.push(maintenancePage(diagnosis, window, chosen, now));
      pages = 'page sent';
    }
    const reason = `maintenance window ${window.controlId} by ${who(window)} covers ${describeScope(window.scope)} ${until(window, now)}; ${would}; ${pages}`;
    mark('maintenance', `held: ${window.controlId}`);
    return result(
      step,
      step.finish('SKIPPED_MAINTENANCE', reason, evaluated, { policy: chosen.name }),
      audit,
    );
  }

  const pause = leverFor(control.pauses, input, now);
  if (pause) {
    // Paused means shadow: the command that would have run goes out in SHADOW mode, for the audit.
    const shadow = shadowStep(step, { ...chosen, mode: 'shadow' }, evaluated, attempt);
    const reason = `paused by ${who(pause)} (${pause.controlId}, ${describeScope(pause.scope)} ${until(pause, now)}): ${would}`;
    shadow.command.reason = reason;
    mark('paused', `held: ${pause.controlId}`);
    return result(
      step,
      { ...shadow.decision, reason, decisionId: decisionIdFor(diagnosis.eventId) },
      { shadow: audit.shadow, commands: [...audit.commands, shadow.command] },
    );
  }
  return null;
}

/**
 * A window with pages held keeps the pages this step would raise for its component (a spent
 * ladder, a storm) back, and the decision says so. Applied to every step's result.
 */
export function holdPages(input: DecideInput, out: DecideResult): DecideResult {
  if (out.escalations.length === 0) return out;
  const window = maintenanceFor(input, controlOf(out.state));
  if (!window?.holdPages) return out;
  const held = out.escalations.filter((e) => e.component === input.diagnosis.component);
  if (held.length === 0) return out;
  return {
    ...out,
    escalations: out.escalations.filter((e) => e.component !== input.diagnosis.component),
    decision: {
      ...out.decision,
      reason: `${out.decision.reason}; page held by maintenance window ${window.controlId} (${who(window)})`,
    },
  };
}
