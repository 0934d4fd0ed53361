/**
 * Settling what waits for a person (see approval.ts): an APPROVAL control record runs or drops
 * the waiting command once; a deadline passed in event time escalates it or runs it.
 */
import type {
  ControlRecord,
  Escalation,
  HealingCommand,
  HealingDecision,
  Verdict,
} from '@healstream/contracts';
import type { ApprovalEntry } from './approval-state.js';
import type { DecisionConfig } from './config.js';
import { decisionIdFor, escalationIdFor } from './ids.js';
import { editIncident, pruneState, type EvaluatorState, type IncidentLadder } from './state.js';
import { actionList, approvalDedupKey, iso } from './approval.js';
import { recordDispatch } from './steps.js';

const minutes = (ms: number) =>
  ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;

/** What settling approvals produced, for the evaluator to emit in the record's transaction. */
export interface ApprovalEffects {
  state: EvaluatorState;
  decisions: HealingDecision[];
  commands: HealingCommand[];
  escalations: Escalation[];
  /** Audit lines for what changed nothing (a repeated or late answer). */
  notes: string[];
}

function decisionOf(
  entry: ApprovalEntry,
  verdict: Verdict,
  reason: string,
  now: number,
): HealingDecision {
  const c = entry.command;
  const eventId = `approval:${c.commandId}:${entry.status}`;
  return {
    decisionId: decisionIdFor(eventId),
    incidentId: c.incidentId,
    component: c.component,
    eventId,
    decidedAt: now,
    causes: entry.causes,
    verdict,
    policy: c.policy.name,
    commandId: c.commandId,
    attempt: c.attempt,
    reason,
    evaluated: [],
  };
}

function resolvePage(entry: ApprovalEntry, why: string, now: number): Escalation {
  const c = entry.command;
  return {
    escalationId: escalationIdFor('approval', c.commandId, entry.status),
    source: 'APPROVAL_REQUESTED',
    incidentId: c.incidentId,
    component: c.component,
    severity: 'INFO',
    summary: why,
    details: '',
    actionsTried: [],
    channel: '',
    dedupKey: approvalDedupKey(c.commandId),
    status: 'RESOLVED',
    createdAt: now,
    links: [],
  };
}

function notApprovedPage(entry: ApprovalEntry, summary: string, now: number): Escalation {
  const c = entry.command;
  return {
    escalationId: escalationIdFor('approval', c.commandId, entry.status, 'page'),
    source: 'APPROVAL_DENIED',
    incidentId: c.incidentId,
    component: c.component,
    severity: 'CRITICAL',
    summary,
    details: `${c.reason}\nnot run: ${actionList(c)} (command ${c.commandId})`,
    actionsTried: [],
    channel: '',
    dedupKey: `healstream/incident/${c.incidentId}`,
    status: 'TRIGGERED',
    createdAt: now,
    links: [],
  };
}

function effects(state: EvaluatorState): ApprovalEffects {
  return { state, decisions: [], commands: [], escalations: [], notes: [] };
}

function settle(
  fx: ApprovalEffects,
  entry: ApprovalEntry,
  status: ApprovalEntry['status'],
  now: number,
  by: string | null,
  comment: string,
): ApprovalEntry {
  const settled = { ...entry, status, settledAt: now, settledBy: by, comment };
  fx.state.approvals = { ...fx.state.approvals, [entry.command.commandId]: settled };
  return settled;
}

/** The waiting command goes out now: the same commandId, so the executor's ledger keeps it once. */
function run(
  fx: ApprovalEffects,
  entry: ApprovalEntry,
  incident: IncidentLadder,
  why: string,
  now: number,
  config: DecisionConfig,
): HealingCommand {
  const dispatched: HealingCommand = {
    ...entry.command,
    issuedAt: now,
    deadline: now + config.commandTimeoutMs,
    reason: `${entry.command.reason}; ${why}`,
  };
  recordDispatch(fx.state, incident, dispatched, entry.cooldownSeconds, now);
  fx.commands.push(dispatched);
  return dispatched;
}

/** Not run (denied, or unanswered with on_timeout: escalate): the ladder moves past the policy. */
function giveUp(incident: IncidentLadder, entry: ApprovalEntry, result: string, now: number) {
  const c = entry.command;
  incident.history.push({
    commandId: c.commandId,
    policy: c.policy.name,
    attempt: c.attempt,
    issuedAt: now,
    result,
    settledAt: now,
  });
  if (!incident.tried.includes(c.policy.name)) incident.tried.push(c.policy.name);
  // A person has the page now; the ladder's own "gave up" page would say it a second time.
  incident.escalated = true;
}

/** The incident of a waiting command, when it is still open. */
function openIncident(state: EvaluatorState, entry: ApprovalEntry): IncidentLadder | undefined {
  const incident = editIncident(state, entry.command.incidentId);
  return incident && incident.closedAt === null ? incident : undefined;
}

/**
 * Brings the waiting commands up to date at `now` (any record's time): one past its deadline is
 * escalated or run; one whose incident closed (or was forgotten) is cancelled.
 */
export function settleApprovals(
  input: EvaluatorState,
  now: number,
  config: DecisionConfig,
): ApprovalEffects {
  // Most records find nothing waiting: no copy of the state for them.
  if (!Object.values(input.approvals ?? {}).some((a) => a.status === 'pending'))
    return effects(input);
  const fx = effects(pruneState(input, now, config));
  for (const entry of Object.values(fx.state.approvals)) {
    if (entry.status !== 'pending') continue;
    const c = entry.command;
    const incident = openIncident(fx.state, entry);
    if (!incident) {
      const done = settle(fx, entry, 'cancelled', now, null, 'incident no longer open');
      fx.escalations.push(
        resolvePage(
          done,
          `${c.component}: approval of ${c.commandId} no longer needed: the incident closed`,
          now,
        ),
      );
      fx.notes.push(
        `approval of ${c.commandId} cancelled: incident ${c.incidentId} is no longer open`,
      );
      continue;
    }
    if (now < entry.deadline) continue;
    const waited = `no answer within ${minutes(entry.deadline - entry.requestedAt)} (by ${iso(entry.deadline)})`;
    if (entry.onTimeout === 'run') {
      const done = settle(fx, entry, 'ran', now, null, waited);
      run(fx, done, incident, `${waited}; on_timeout: run`, now, config);
      fx.decisions.push(
        decisionOf(
          done,
          'DISPATCHED',
          `${c.policy.name}: ${waited}; on_timeout: run, so ${actionList(c)} runs`,
          now,
        ),
      );
      fx.escalations.push(
        resolvePage(
          done,
          `${c.component}: ${waited}; ran ${actionList(c)} as the policy says`,
          now,
        ),
      );
    } else {
      const done = settle(fx, entry, 'escalated', now, null, waited);
      giveUp(incident, done, 'NOT_APPROVED', now);
      fx.decisions.push(
        decisionOf(
          done,
          'ESCALATE',
          `${c.policy.name}: ${waited}; on_timeout: escalate, ${actionList(c)} not run`,
          now,
        ),
      );
      fx.escalations.push(
        resolvePage(done, `${c.component}: approval of ${c.commandId} timed out`, now),
        notApprovedPage(
          done,
          `${c.component}: nobody approved ${actionList(c)} (policy '${c.policy.name}') ${waited}; healstream did not act, the incident needs a person`,
          now,
        ),
      );
    }
  }
  return fx;
}

/**
 * An APPROVAL control record at `now`. A partition that never held the command ignores it
 * (every partition receives every control record); the one holding it settles it once.
 */
export function applyApproval(
  input: EvaluatorState,
  record: ControlRecord,
  now: number,
  config: DecisionConfig,
): ApprovalEffects {
  const fx = settleApprovals(input, now, config);
  const commandId = record.commandId;
  const entry = commandId === null ? undefined : fx.state.approvals[commandId];
  if (!entry || record.kind !== 'APPROVAL' || record.action !== 'SET') return fx;
  const who = record.author || 'unknown';
  const answer = record.approved === true ? 'approval' : 'denial';
  if (entry.status !== 'pending') {
    fx.notes.push(
      `${answer} of ${entry.command.commandId} by ${who} ignored: already ${entry.status}${entry.settledBy ? ` by ${entry.settledBy}` : ''}${entry.settledAt === null ? '' : ` at ${iso(entry.settledAt)}`}`,
    );
    return fx;
  }
  const c = entry.command;
  const incident = openIncident(fx.state, entry);
  if (!incident) return fx; // settleApprovals has cancelled it just now
  const at = iso(record.createdAt);
  const note = record.comment ? ` (${record.comment})` : '';
  if (record.approved === true) {
    const done = settle(fx, entry, 'approved', now, who, record.comment);
    run(fx, done, incident, `approved by ${who} at ${at}${note}`, now, config);
    fx.decisions.push(
      decisionOf(
        done,
        'APPROVED',
        `${c.policy.name}: approved by ${who} at ${at}${note}; ${actionList(c)} dispatched`,
        now,
      ),
    );
    fx.escalations.push(
      resolvePage(done, `${c.component}: ${c.commandId} approved by ${who}`, now),
    );
    return fx;
  }
  const done = settle(fx, entry, 'denied', now, who, record.comment);
  giveUp(incident, done, 'DENIED', now);
  fx.decisions.push(
    decisionOf(
      done,
      'DENIED',
      `${c.policy.name}: denied by ${who} at ${at}${note}; ${actionList(c)} not run`,
      now,
    ),
  );
  fx.escalations.push(
    resolvePage(done, `${c.component}: ${c.commandId} denied by ${who}`, now),
    notApprovedPage(
      done,
      `${c.component}: ${who} denied ${actionList(c)} (policy '${c.policy.name}')${note}; healstream did not act, the incident needs a person`,
      now,
    ),
  );
  return fx;
}
