/** The named steps of `decide`, each a whole outcome of one incident step. */
import type {
  Diagnosis,
  Escalation,
  HealingCommand,
  HealingDecision,
  PolicyEvaluation,
  Verdict,
} from '@healstream/contracts';
import type { Choice } from './choice.js';
import type { Policy } from '../policy/types.js';
import type { DecisionConfig } from './config.js';
import type { ComponentRegistry } from '../components/registry.js';
import { ladderEscalation } from './escalations.js';
import type { SkipReason } from './evaluate.js';
import { commandIdFor, decisionIdFor } from './ids.js';
import type { EvaluatorState, IncidentLadder } from './state.js';

export interface DecideInput {
  diagnosis: Diagnosis;
  state: EvaluatorState;
  policies: readonly Policy[];
  /** When given, commands are validated (component, allowed actions, bounds) before dispatch. */
  components?: ComponentRegistry | null;
  config?: DecisionConfig;
  now: number;
  /**
   * `policies explain`'s question, what the rules make of this snapshot once it lasts: every
   * `for:` is taken as served, and an event marked cleared is judged like any other.
   */
  whatIf?: boolean;
}

export interface DecideResult {
  /** The verdict of this incident step. */
  decision: HealingDecision;
  /** What a shadow policy ranked above the acting one would have done (verdict SHADOW), if any. */
  shadow: HealingDecision | null;
  /** The dispatched command and/or the shadow command (mode SHADOW, audit only). */
  commands: HealingCommand[];
  escalations: Escalation[];
  state: EvaluatorState;
}

const SKIP_VERDICT: Record<SkipReason, Verdict> = {
  cooldown: 'SKIPPED_COOLDOWN',
  'rate-limit': 'SKIPPED_RATE_LIMIT',
  invalid: 'SKIPPED_INVALID',
};

export function newIncident(diagnosis: Diagnosis, now: number): IncidentLadder {
  return {
    component: diagnosis.component,
    openedAt: now,
    lastSeenAt: now,
    closedAt: null,
    attempts: 0,
    tried: [],
    escalated: false,
    history: [],
    holds: {},
    controlPaged: [],
    cause: topCauseOf(diagnosis),
    flap: null,
  };
}

/** The most confident diagnosed cause, or '' when the diagnosis names none. */
export function topCauseOf(diagnosis: Diagnosis): string {
  let best: Diagnosis['causes'][number] | undefined;
  for (const c of diagnosis.causes) if (!best || c.confidence > best.confidence) best = c;
  return best?.cause ?? '';
}

export function command(
  diagnosis: Diagnosis,
  policy: Policy,
  attempt: number,
  reason: string,
  now: number,
  config: DecisionConfig,
): HealingCommand {
  const mode = policy.mode === 'shadow' ? 'SHADOW' : 'ENFORCE';
  return {
    commandId: commandIdFor(diagnosis.incidentId, policy.name, attempt, mode),
    incidentId: diagnosis.incidentId,
    component: diagnosis.component,
    policy: { name: policy.name, priority: policy.priority },
    actions: policy.actions.map((a) => ({ name: a.name, params: { ...a.params } })),
    attempt,
    issuedAt: now,
    deadline: now + config.commandTimeoutMs,
    mode,
    reason,
  };
}

type Finish = (
  verdict: Verdict,
  reason: string,
  evaluated: PolicyEvaluation[],
  extra?: { policy?: string | null; commandId?: string | null; attempt?: number },
) => HealingDecision;

/** Builds this step's decisions: same identity and context, another verdict and reason. */
export function decisionsFor(diagnosis: Diagnosis, now: number): Finish {
  const causes = [...diagnosis.causes]
    .sort((a, b) => b.confidence - a.confidence)
    .map((c) => c.cause);
  // Every decision of the step shares the id: hashed once, and only when a decision is built.
  let decisionId: string | undefined;
  return (verdict, reason, evaluated, extra = {}) => ({
    decisionId: (decisionId ??= decisionIdFor(diagnosis.eventId)),
    incidentId: diagnosis.incidentId,
    component: diagnosis.component,
    eventId: diagnosis.eventId,
    decidedAt: now,
    causes,
    verdict,
    policy: extra.policy ?? null,
    commandId: extra.commandId ?? null,
    attempt: extra.attempt ?? 0,
    reason,
    evaluated,
  });
}

/** What every step shares: the input, the pruned state, and the decision builder. */
export interface Step {
  input: DecideInput;
  config: DecisionConfig;
  state: EvaluatorState;
  finish: Finish;
  escalations: Escalation[];
}

export const result = (
  step: Step,
  decision: HealingDecision,
  extra: { shadow?: HealingDecision | null; commands?: HealingCommand[] } = {},
): DecideResult => ({
  decision,
  shadow: extra.shadow ?? null,
  commands: extra.commands ?? [],
  escalations: step.escalations,
  state: step.state,
});

/** A RESOLVED diagnosis closes the ladder; anything later for a closed incident is ignored. */
export function closeIfResolved(
  step: Step,
  existing: IncidentLadder | undefined,
): DecideResult | null {
  const { diagnosis, now } = step.input;
  if (diagnosis.kind !== 'RESOLVED' && !(existing && existing.closedAt !== null)) return null;
  if (existing && existing.closedAt === null) existing.closedAt = now;
  const reason =
    diagnosis.kind === 'RESOLVED'
      ? 'incident resolved; its ladder is closed'
      : 'incident already resolved';
  return result(step, step.finish('RESOLVED', reason, []));
}

/** The ladder is spent: page once, and say so in every decision after. */
export function escalateStep(
  step: Step,
  incident: IncidentLadder,
  evaluated: PolicyEvaluation[],
  reason: string,
): DecideResult {
  const { diagnosis, now } = step.input;
  if (!incident.escalated) {
    incident.escalated = true;
    step.escalations.push(ladderEscalation(diagnosis, incident, reason, now));
  }
  return result(step, step.finish('ESCALATE', reason, evaluated, { attempt: incident.attempts }));
}

/** What a shadow policy ranked above the acting one would have done, for the audit trail. */
export function shadowStep(
  step: Step,
  shadowPolicy: Policy,
  evaluated: PolicyEvaluation[],
  attempt: number,
): { command: HealingCommand; decision: HealingDecision } {
  const { diagnosis, now } = step.input;
  const reason = `shadow: would run ${shadowPolicy.actions.map((a) => a.name).join(', ')} (${evaluated.find((e) => e.policy === shadowPolicy.name)?.reason ?? ''})`;
  const shadowCommand = command(diagnosis, shadowPolicy, attempt, reason, now, step.config);
  return {
    command: shadowCommand,
    decision: {
      ...step.finish('SHADOW', reason, evaluated, {
        policy: shadowPolicy.name,
        commandId: shadowCommand.commandId,
        attempt,
      }),
      decisionId: decisionIdFor(diagnosis.eventId, 'shadow'),
    },
  };
}

/** No policy may act now: held, nothing matched, nothing left to try, or all skipped. */
export function noChoiceStep(
  step: Step,
  incident: IncidentLadder,
  evaluated: PolicyEvaluation[],
  untried: { policy: Policy; entry: PolicyEvaluation }[],
  firstSkip: SkipReason | null | undefined,
  audit: { shadow: HealingDecision | null; commands: HealingCommand[] },
): DecideResult {
  const waiting = untried.find((c) => c.entry.outcome === 'held');
  if (waiting)
    return result(
      step,
      step.finish('NO_MATCH', `${waiting.policy.name}: ${waiting.entry.reason}`, evaluated),
      audit,
    );
  if (untried.length === 0) {
    if (incident.tried.length > 0)
      return {
        ...escalateStep(
          step,
          incident,
          evaluated,
          `no untried policy left (tried: ${incident.tried.join(', ')})`,
        ),
        ...audit,
      };
    return result(step, step.finish('NO_MATCH', 'no enabled policy matched', evaluated), audit);
  }
  const skip = firstSkip ?? 'cooldown';
  const first = untried.find((c) => c.entry.outcome === skip);
  return result(
    step,
    step.finish(
      SKIP_VERDICT[skip] ?? 'SKIPPED_COOLDOWN',
      `every matching policy skipped; first: ${first?.policy.name}: ${first?.entry.reason}`,
      evaluated,
      { policy: first?.policy.name ?? null },
    ),
    audit,
  );
}

/** The chosen policy's command goes out; the ladder, in-flight, cooldown and budgets record it. */
export function dispatchStep(step: Step, choice: Choice): DecideResult {
  const { incident, chosen, chosenEntry, evaluated, attempt, audit } = choice;
  const { diagnosis, now } = step.input;
  const { state } = step;
  const reason = `${chosen.name} (priority ${chosen.priority}): ${chosenEntry?.reason ?? ''}`;
  const dispatched = command(diagnosis, chosen, attempt, reason, now, step.config);
  recordDispatch(state, incident, dispatched, chosen.cooldownSeconds, now);
  const decision = step.finish('DISPATCHED', reason, evaluated, {
    policy: chosen.name,
    commandId: dispatched.commandId,
    attempt,
  });
  return result(step, decision, {
    shadow: audit.shadow,
    commands: [...audit.commands, dispatched],
  });
}

/** A command goes out: the ladder, the in-flight slot, the cooldown and the budgets record it. */
export function recordDispatch(
  state: EvaluatorState,
  incident: IncidentLadder,
  dispatched: HealingCommand,
  cooldownSeconds: number,
  now: number,
): void {
  const { component, attempt } = dispatched;
  const policy = dispatched.policy.name;
  incident.attempts = attempt;
  incident.history.push({
    commandId: dispatched.commandId,
    policy,
    attempt,
    issuedAt: now,
    result: null,
    settledAt: null,
  });
  state.inFlight[component] = {
    commandId: dispatched.commandId,
    incidentId: dispatched.incidentId,
    policy,
    attempt,
    issuedAt: now,
    deadline: dispatched.deadline,
  };
  state.cooldowns[component] = {
    ...state.cooldowns[component],
    [policy]: now + cooldownSeconds * 1000,
  };
  state.dispatches.push({ at: now, component, policy });
}
