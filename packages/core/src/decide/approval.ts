/**
 * Approval for risky actions. A policy (or a component tier) with `approval:` does not dispatch:
 * its command waits in the partition's state (PENDING_APPROVAL) and a page asks a person. An
 * APPROVAL control record answers it: approved, the very command goes out (APPROVED); denied,
 * nothing runs and a page says so (DENIED). Unanswered by its deadline (event time, checked on
 * every record the partition processes), it is escalated or run as the rule says. Every answer
 * is settled once: a repeat, or an answer after a timeout or a denial, changes nothing and is
 * only noted.
 */
import type { HealingCommand, PolicyEvaluation } from '@healstream/contracts';
import type { ComponentRegistry } from '../components/registry.js';
import type { ApprovalRule, Policy } from '../policy/types.js';
import type { ApprovalEntry } from './approval-state.js';
import { escalationIdFor } from './ids.js';
import { type EvaluatorState } from './state.js';
import { command, result, type DecideResult, type Step } from './steps.js';
import type { Choice } from './choice.js';

/** The policy's own rule, else the component tier's; null: no approval needed. */
export function approvalRuleFor(
  policy: Policy,
  components: ComponentRegistry | null | undefined,
  component: string,
): ApprovalRule | null {
  if (policy.mode !== 'enforce') return null;
  return policy.approval ?? components?.components.get(component)?.approval ?? null;
}

/** The command of this component that waits for a person, if any. */
export function pendingApprovalOf(
  state: EvaluatorState,
  component: string,
): ApprovalEntry | undefined {
  return Object.values(state.approvals ?? {}).find(
    (a) => a.status === 'pending' && a.command.component === component,
  );
}

export const approvalDedupKey = (commandId: string) => `healstream/approval/${commandId}`;
export const iso = (ms: number) => new Date(ms).toISOString();
export const actionList = (c: HealingCommand) => c.actions.map((a) => a.name).join(', ');

/** How to answer, as the page and the decision say it. */
export function howToAnswer(commandId: string): string {
  return [
    `approve: healstream approve ${commandId}`,
    `deny: healstream deny ${commandId} --reason "…"`,
    `or POST /api/approvals/${commandId} on the console with Authorization: Bearer <HEALSTREAM_CONSOLE_TOKEN> and {"approved": true|false, "author": "…", "reason": "…"}`,
  ].join('\n');
}

/** The chosen policy needs a person: its command is kept, a page asks, nothing runs yet. */
export function requestApproval(step: Step, choice: Choice, rule: ApprovalRule): DecideResult {
  const { incident, chosen, chosenEntry, evaluated, attempt, audit } = choice;
  const { diagnosis, now } = step.input;
  const reason = `${chosen.name} (priority ${chosen.priority}): ${chosenEntry?.reason ?? ''}`;
  const pending = command(diagnosis, chosen, attempt, reason, now, step.config);
  const deadline = now + rule.timeoutMs;
  step.state.approvals = {
    ...step.state.approvals,
    [pending.commandId]: {
      command: pending,
      causes: [...diagnosis.causes].sort((a, b) => b.confidence - a.confidence).map((c) => c.cause),
      cooldownSeconds: chosen.cooldownSeconds,
      requestedAt: now,
      deadline,
      onTimeout: rule.onTimeout,
      status: 'pending',
      settledAt: null,
      settledBy: null,
      comment: '',
    },
  };
  if (chosenEntry) chosenEntry.outcome = 'chosen';
  step.escalations.push({
    escalationId: escalationIdFor('approval', pending.commandId),
    source: 'APPROVAL_REQUESTED',
    incidentId: pending.incidentId,
    component: pending.component,
    severity: diagnosis.severity,
    summary: `${pending.component}: policy '${chosen.name}' wants to run ${actionList(pending)} and waits for approval until ${iso(deadline)} (then: ${rule.onTimeout}); approve: healstream approve ${pending.commandId}`,
    details: `${reason}\n\n${howToAnswer(pending.commandId)}`,
    actionsTried: incident.history.map(
      (h) => `${h.policy} (attempt ${h.attempt}): ${h.result ?? 'no outcome'}`,
    ),
    channel: '',
    dedupKey: approvalDedupKey(pending.commandId),
    status: 'TRIGGERED',
    createdAt: now,
    links: [],
  });
  return result(
    step,
    step.finish(
      'PENDING_APPROVAL',
      `${reason}; waits for approval of ${actionList(pending)} until ${iso(deadline)} (on timeout: ${rule.onTimeout}); ${howToAnswer(pending.commandId).split('\n').slice(0, 2).join('; ')}`,
      evaluated,
      { policy: chosen.name, commandId: pending.commandId, attempt },
    ),
    audit,
  );
}

/** A later step of an incident whose command still waits: say so, act on nothing else. */
export function awaitingApprovalStep(
  step: Step,
  entry: ApprovalEntry,
  evaluated: PolicyEvaluation[],
): DecideResult {
  const c = entry.command;
  return result(
    step,
    step.finish(
      'PENDING_APPROVAL',
      `command ${c.commandId} (${c.policy.name}: ${actionList(c)}) waits for approval since ${iso(entry.requestedAt)}, until ${iso(entry.deadline)} (on timeout: ${entry.onTimeout})`,
      evaluated,
      { policy: c.policy.name, commandId: c.commandId, attempt: c.attempt },
    ),
  );
}
