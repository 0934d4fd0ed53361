import type {
  Diagnosis,
  Escalation,
  HealingCommand,
  HealingDecision,
  PolicyEvaluation,
  Verdict,
} from '@healstream/contracts';
import type { ComponentRegistry } from '../components/registry.js';
import type { Policy } from '../policy/types.js';
import { DEFAULT_DECISION_CONFIG, type DecisionConfig } from './config.js';
import { ladderEscalation, stormEscalation } from './escalations.js';
import { evaluatePolicies, walkLadder, type SkipReason } from './evaluate.js';
import { applyHolds } from './holds.js';
import { isClearedEvent } from '../detect/detect.js';
import { commandIdFor, decisionIdFor } from './ids.js';
import { limitHit } from './limits.js';
import { editIncident, pruneState, type EvaluatorState, type IncidentLadder } from './state.js';

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

function newIncident(diagnosis: Diagnosis, now: number): IncidentLadder {
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
  };
}

function command(
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

/**
 * One incident step: which policy acts on this diagnosis, and the state after it.
 * Pure: same input, same output; `now` is the diagnosis record's time (or an injected clock).
 */
export function decide(input: DecideInput): DecideResult {
  const { diagnosis, policies, now } = input;
  const config = input.config ?? DEFAULT_DECISION_CONFIG;
  const state = pruneState(input.state, now, config);
  const component = diagnosis.component;
  const causes = [...diagnosis.causes]
    .sort((a, b) => b.confidence - a.confidence)
    .map((c) => c.cause);
  const escalations: Escalation[] = [];
  const base = {
    incidentId: diagnosis.incidentId,
    component,
    eventId: diagnosis.eventId,
    decidedAt: now,
    causes,
  };
  const finish = (
    verdict: Verdict,
    reason: string,
    evaluated: PolicyEvaluation[],
    extra: { policy?: string | null; commandId?: string | null; attempt?: number } = {},
  ): HealingDecision => ({
    decisionId: decisionIdFor(diagnosis.eventId),
    ...base,
    verdict,
    policy: extra.policy ?? null,
    commandId: extra.commandId ?? null,
    attempt: extra.attempt ?? 0,
    reason,
    evaluated,
  });

  const existing = editIncident(state, diagnosis.incidentId);
  if (diagnosis.kind === 'RESOLVED' || (existing && existing.closedAt !== null)) {
    if (existing && existing.closedAt === null) existing.closedAt = now;
    const reason =
      diagnosis.kind === 'RESOLVED'
        ? 'incident resolved; its ladder is closed'
        : 'incident already resolved';
    return {
      decision: finish('RESOLVED', reason, []),
      shadow: null,
      commands: [],
      escalations,
      state,
    };
  }
  const incident = existing ?? newIncident(diagnosis, now);
  state.incidents[diagnosis.incidentId] = incident;
  incident.lastSeenAt = now;

  const { evaluated, candidates } = evaluatePolicies(
    policies,
    diagnosis,
    input.components,
    config,
    now,
  );
  const held = applyHolds(evaluated, candidates, incident, now, input.whatIf);
  const untried = candidates.filter(
    (c) => c.policy.mode === 'enforce' && !incident.tried.includes(c.policy.name),
  );
  const markRest = (outcome: string, why: string) => {
    for (const c of candidates) {
      if (c.entry.outcome !== 'no-match') continue;
      c.entry.outcome = incident.tried.includes(c.policy.name) ? 'tried' : outcome;
      c.entry.reason = incident.tried.includes(c.policy.name)
        ? `${c.entry.reason}; already tried for this incident`
        : `${c.entry.reason}; ${why}`;
    }
  };

  if (isClearedEvent(diagnosis) && !input.whatIf) {
    // The detector's word that a metric went back to normal: holds are brought up to date
    // (above), but nothing acts on it; the next anomalous event may.
    markRest('not-selected', 'a metric cleared; holds updated');
    return {
      decision: finish('NO_MATCH', 'a metric went back to normal; holds updated', evaluated),
      shadow: null,
      commands: [],
      escalations,
      state,
    };
  }

  const inFlight = state.inFlight[component];
  if (inFlight) {
    markRest('not-selected', 'a command is in flight');
    const reason = `command ${inFlight.commandId} (${inFlight.policy}, attempt ${inFlight.attempt}) is in flight until ${new Date(inFlight.deadline).toISOString()}`;
    const result = finish('SKIPPED_IN_FLIGHT', reason, evaluated, {
      policy: untried[0]?.policy.name ?? null,
    });
    return { decision: result, shadow: null, commands: [], escalations, state };
  }

  const escalate = (reason: string) => {
    markRest('not-selected', 'ladder exhausted');
    if (!incident.escalated) {
      incident.escalated = true;
      escalations.push(ladderEscalation(diagnosis, incident, reason, now));
    }
    return {
      decision: finish('ESCALATE', reason, evaluated, { attempt: incident.attempts }),
      shadow: null,
      commands: [],
      escalations,
      state,
    };
  };
  if (incident.attempts >= config.maxAttempts) {
    return escalate(
      `${incident.attempts} attempts made for this incident (max_attempts ${config.maxAttempts})`,
    );
  }

  const {
    chosen,
    shadow: shadowPolicy,
    firstSkip,
  } = walkLadder(candidates, incident, state, input.components, component, now, held);

  const attempt = incident.attempts + 1;
  const commands: HealingCommand[] = [];
  let shadow: HealingDecision | null = null;
  if (shadowPolicy) {
    const reason = `shadow: would run ${shadowPolicy.actions.map((a) => a.name).join(', ')} (${evaluated.find((e) => e.policy === shadowPolicy.name)?.reason ?? ''})`;
    const shadowCommand = command(diagnosis, shadowPolicy, attempt, reason, now, config);
    commands.push(shadowCommand);
    shadow = {
      ...finish('SHADOW', reason, evaluated, {
        policy: shadowPolicy.name,
        commandId: shadowCommand.commandId,
        attempt,
      }),
      decisionId: decisionIdFor(diagnosis.eventId, 'shadow'),
    };
  }

  if (!chosen) {
    const waiting = untried.find((c) => c.entry.outcome === 'held');
    if (waiting) {
      return {
        decision: finish('NO_MATCH', `${waiting.policy.name}: ${waiting.entry.reason}`, evaluated),
        shadow,
        commands,
        escalations,
        state,
      };
    }
    if (untried.length === 0) {
      if (incident.tried.length > 0)
        return {
          ...escalate(`no untried policy left (tried: ${incident.tried.join(', ')})`),
          shadow,
          commands,
        };
      return {
        decision: finish('NO_MATCH', 'no enabled policy matched', evaluated),
        shadow,
        commands,
        escalations,
        state,
      };
    }
    const skip = firstSkip ?? 'cooldown';
    const first = untried.find((c) => c.entry.outcome === skip);
    const result = finish(
      SKIP_VERDICT[skip] ?? 'SKIPPED_COOLDOWN',
      `every matching policy skipped; first: ${first?.policy.name}: ${first?.entry.reason}`,
      evaluated,
      {
        policy: first?.policy.name ?? null,
      },
    );
    return { decision: result, shadow, commands, escalations, state };
  }

  const chosenEntry = evaluated.find((e) => e.policy === chosen.name);
  const limit = limitHit(state, component, config, now);
  if (limit) {
    if (limit.kind === 'fleet' && state.storm[limit.window] === null) {
      state.storm[limit.window] = now;
      escalations.push(stormEscalation(diagnosis, limit.window, limit.budget, config, now));
    }
    if (chosenEntry) {
      chosenEntry.outcome = 'rate-limit';
      chosenEntry.reason = `${chosenEntry.reason}; ${limit.reason}`;
    }
    return {
      decision: finish('SKIPPED_RATE_LIMIT', limit.reason, evaluated, { policy: chosen.name }),
      shadow,
      commands,
      escalations,
      state,
    };
  }

  const reason = `${chosen.name} (priority ${chosen.priority}): ${chosenEntry?.reason ?? ''}`;
  const dispatched = command(diagnosis, chosen, attempt, reason, now, config);
  commands.push(dispatched);
  incident.attempts = attempt;
  incident.history.push({
    commandId: dispatched.commandId,
    policy: chosen.name,
    attempt,
    issuedAt: now,
    result: null,
  });
  state.inFlight[component] = {
    commandId: dispatched.commandId,
    incidentId: diagnosis.incidentId,
    policy: chosen.name,
    attempt,
    issuedAt: now,
    deadline: dispatched.deadline,
  };
  state.cooldowns[component] = {
    ...state.cooldowns[component],
    [chosen.name]: now + chosen.cooldownSeconds * 1000,
  };
  state.dispatches.push({ at: now, component, policy: chosen.name });
  const decision = finish('DISPATCHED', reason, evaluated, {
    policy: chosen.name,
    commandId: dispatched.commandId,
    attempt,
  });
  return { decision, shadow, commands, escalations, state };
}
