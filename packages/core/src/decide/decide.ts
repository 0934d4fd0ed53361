import type {
  Diagnosis,
  Escalation,
  HealingCommand,
  HealingDecision,
  PolicyEvaluation,
  Verdict,
} from '@healstream/contracts';
import type { ComponentRegistry } from '../components/registry.js';
import { validateActions } from '../components/validate.js';
import { matchPolicy } from '../policy/match.js';
import type { Policy } from '../policy/types.js';
import { DEFAULT_DECISION_CONFIG, partitionBudget, type DecisionConfig } from './config.js';
import { ladderEscalation, stormEscalation } from './escalations.js';
import { commandIdFor, decisionIdFor } from './ids.js';
import {
  MINUTE_MS,
  editIncident,
  pruneState,
  type EvaluatorState,
  type IncidentLadder,
} from './state.js';

export interface DecideInput {
  diagnosis: Diagnosis;
  state: EvaluatorState;
  policies: readonly Policy[];
  /** When given, commands are validated (component, allowed actions, bounds) before dispatch. */
  components?: ComponentRegistry | null;
  config?: DecisionConfig;
  now: number;
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

/** Highest priority first, ties by name: the order every decision evaluates policies in. */
export function orderPolicies(policies: readonly Policy[]): Policy[] {
  return [...policies].sort(
    (a, b) => b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

const SKIP_VERDICT: Record<string, Verdict> = {
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

  // Evaluate every policy, so the decision always says why each did or did not act.
  const componentLabels = input.components?.components.get(component)?.labels;
  const ordered = orderPolicies(policies);
  const evaluated: PolicyEvaluation[] = [];
  const candidates: { policy: Policy; entry: PolicyEvaluation }[] = [];
  for (const policy of ordered) {
    const entry: PolicyEvaluation = {
      policy: policy.name,
      priority: policy.priority,
      matched: false,
      outcome: 'no-match',
      reason: '',
    };
    evaluated.push(entry);
    if (!policy.enabled) {
      entry.outcome = 'disabled';
      entry.reason = 'policy disabled';
      continue;
    }
    const match = matchPolicy(policy, {
      diagnosis,
      now,
      staleAfterMs: config.staleAfterMs,
      componentLabels,
    });
    entry.matched = match.matched;
    entry.reason = match.reason;
    if (match.matched) candidates.push({ policy, entry });
  }
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

  // The ladder: walk matching policies in order; cooldown, policy rate limit and invalid fall through.
  let chosen: Policy | undefined;
  let shadowPolicy: Policy | undefined;
  let firstSkip: string | undefined;
  const cooldowns = state.cooldowns[component] ?? {};
  for (const { policy, entry } of candidates) {
    if (incident.tried.includes(policy.name)) {
      entry.outcome = 'tried';
      entry.reason = `${entry.reason}; already tried for this incident`;
    } else if (chosen) {
      entry.outcome = 'lower-priority';
      entry.reason = `${entry.reason}; ${chosen.name} ranks higher`;
    } else if (policy.mode === 'shadow') {
      entry.outcome = shadowPolicy ? 'lower-priority' : 'shadow';
      entry.reason = `${entry.reason}; shadow mode: recorded, not acted on`;
      shadowPolicy ??= policy;
    } else if ((cooldowns[policy.name] ?? 0) > now) {
      entry.outcome = 'cooldown';
      entry.reason = `${entry.reason}; in cooldown for ${Math.ceil(((cooldowns[policy.name] ?? 0) - now) / 1000)} s more`;
      firstSkip ??= 'cooldown';
    } else if (
      policy.maxPerHour !== null &&
      state.dispatches.filter((d) => d.component === component && d.policy === policy.name)
        .length >= policy.maxPerHour
    ) {
      entry.outcome = 'rate-limit';
      entry.reason = `${entry.reason}; max_per_hour ${policy.maxPerHour} reached for ${component}`;
      firstSkip ??= 'rate-limit';
    } else {
      const failure = input.components
        ? validateActions(input.components, component, policy.actions)
        : null;
      if (failure) {
        entry.outcome = 'invalid';
        entry.reason = `${entry.reason}; ${failure.code}: ${failure.message}`;
        firstSkip ??= 'invalid';
      } else {
        entry.outcome = 'chosen';
        chosen = policy;
      }
    }
  }

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

  // Rate limits that stop any policy: per component, then the partition's share of the fleet budget.
  const chosenEntry = evaluated.find((e) => e.policy === chosen.name);
  const perComponent = state.dispatches.filter((d) => d.component === component).length;
  const minuteBudget = partitionBudget(config.fleetPerMinute, config.partitionCount);
  const hourBudget = partitionBudget(config.fleetPerHour, config.partitionCount);
  const lastMinute = state.dispatches.filter((d) => d.at > now - MINUTE_MS).length;
  let limited: string | undefined;
  if (perComponent >= config.perComponentPerHour) {
    limited = `${component} reached ${config.perComponentPerHour} dispatches in the last hour`;
  } else if (lastMinute >= minuteBudget || state.dispatches.length >= hourBudget) {
    const window = lastMinute >= minuteBudget ? 'minute' : 'hour';
    const budget = window === 'minute' ? minuteBudget : hourBudget;
    limited = `partition budget of ${budget} dispatches per ${window} reached (fleet budget / ${config.partitionCount} partitions)`;
    if (state.storm[window] === null) {
      state.storm[window] = now;
      escalations.push(stormEscalation(diagnosis, window, budget, config, now));
    }
  }
  if (limited) {
    if (chosenEntry) {
      chosenEntry.outcome = 'rate-limit';
      chosenEntry.reason = `${chosenEntry.reason}; ${limited}`;
    }
    return {
      decision: finish('SKIPPED_RATE_LIMIT', limited, evaluated, { policy: chosen.name }),
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
  state.cooldowns[component] = { ...cooldowns, [chosen.name]: now + chosen.cooldownSeconds * 1000 };
  state.dispatches.push({ at: now, component, policy: chosen.name });
  const decision = finish('DISPATCHED', reason, evaluated, {
    policy: chosen.name,
    commandId: dispatched.commandId,
    attempt,
  });
  return { decision, shadow, commands, escalations, state };
}
