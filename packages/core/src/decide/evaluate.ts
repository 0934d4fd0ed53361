import type { Diagnosis, PolicyEvaluation } from '@healstream/contracts';
import type { ComponentRegistry } from '../components/registry.js';
import { validateActions } from '../components/validate.js';
import { matchPolicy } from '../policy/match.js';
import type { Policy } from '../policy/types.js';
import type { DecisionConfig } from './config.js';
import { offRemedy, type RemedyView } from './remedies.js';
import type { EvaluatorState, IncidentLadder } from './state.js';

export interface Candidate {
  policy: Policy;
  entry: PolicyEvaluation;
}

/** Highest priority first, ties by name: the order every decision evaluates policies in. */
export function orderPolicies(policies: readonly Policy[]): Policy[] {
  return [...policies].sort(byRank);
}

const byRank = (a: Policy, b: Policy) =>
  b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The last set ordered and its order: a partition decides with the same set record after record. */
let lastOrdered: { policies: Policy[]; ordered: Policy[] } | undefined;

/** orderPolicies, sorted again only when the policies are not the very ones of the last call. */
function orderedPolicies(policies: readonly Policy[]): readonly Policy[] {
  const last = lastOrdered;
  if (last && last.policies.length === policies.length) {
    let same = true;
    for (let i = 0; i < policies.length && same; i++) same = last.policies[i] === policies[i];
    if (same) return last.ordered;
  }
  const ordered = orderPolicies(policies);
  lastOrdered = { policies: [...policies], ordered };
  return ordered;
}

/** Evaluates every policy, so the decision always says why each did or did not act. */
export function evaluatePolicies(
  policies: readonly Policy[],
  diagnosis: Diagnosis,
  components: ComponentRegistry | null | undefined,
  config: DecisionConfig,
  now: number,
): { evaluated: PolicyEvaluation[]; candidates: Candidate[] } {
  const componentLabels = components?.components.get(diagnosis.component)?.labels;
  const evaluated: PolicyEvaluation[] = [];
  const candidates: Candidate[] = [];
  // The labels every policy's selector reads, merged once for the decision.
  const labels = { ...componentLabels, ...diagnosis.labels };
  for (const policy of orderedPolicies(policies)) {
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
      labels,
    });
    entry.matched = match.matched;
    entry.reason = match.reason;
    if (match.matched) candidates.push({ policy, entry });
  }
  return { evaluated, candidates };
}

export type SkipReason = 'cooldown' | 'rate-limit' | 'invalid';

export interface LadderChoice {
  chosen: Policy | undefined;
  /** The first shadow policy ranked above the chosen one. */
  shadow: Policy | undefined;
  /** Why the first skipped untried policy was skipped. */
  firstSkip: SkipReason | undefined;
  /**
   * The first policy that could act but takes none of the remedies of a confident diagnosis,
   * passed over for a lower-ranked one that does (remedy-choice.ts settles it when none does).
   */
  passedOver: Candidate | undefined;
}

function skip(choice: LadderChoice, entry: PolicyEvaluation, reason: SkipReason, why: string) {
  entry.outcome = reason;
  entry.reason = `${entry.reason}; ${why}`;
  choice.firstSkip ??= reason;
}

/**
 * Walks the matching policies in order: tried ones are passed over; a shadow policy is noted and
 * the walk goes on; cooldown, max_per_hour, a hold not yet served (`for:`) and failed validation
 * fall through to the next one. With a confident diagnosis (`remedy`), a policy that could act
 * but takes none of its remedies is passed over for the next that does.
 * Marks each candidate's outcome and reason.
 */
export function walkLadder(
  candidates: readonly Candidate[],
  incident: IncidentLadder,
  state: EvaluatorState,
  components: ComponentRegistry | null | undefined,
  component: string,
  now: number,
  /** Policies whose `for:` has not passed yet (applyHolds). */
  held: ReadonlySet<string> = new Set(),
  remedy: RemedyView | null = null,
): LadderChoice {
  const choice: LadderChoice = {
    chosen: undefined,
    shadow: undefined,
    firstSkip: undefined,
    passedOver: undefined,
  };
  const cooldowns = state.cooldowns[component] ?? {};
  for (const candidate of candidates) {
    const { policy, entry } = candidate;
    const until = cooldowns[policy.name] ?? 0;
    if (incident.tried.includes(policy.name)) {
      entry.outcome = 'tried';
      entry.reason = `${entry.reason}; already tried for this incident`;
    } else if (choice.chosen) {
      entry.outcome = 'lower-priority';
      entry.reason = `${entry.reason}; ${choice.chosen.name} ranks higher`;
    } else if (policy.mode === 'shadow') {
      entry.outcome = choice.shadow ? 'lower-priority' : 'shadow';
      entry.reason = `${entry.reason}; shadow mode: recorded, not acted on`;
      choice.shadow ??= policy;
    } else if (until > now) {
      skip(choice, entry, 'cooldown', `in cooldown for ${Math.ceil((until - now) / 1000)} s more`);
    } else if (
      policy.maxPerHour !== null &&
      state.dispatches.filter((d) => d.component === component && d.policy === policy.name)
        .length >= policy.maxPerHour
    ) {
      skip(
        choice,
        entry,
        'rate-limit',
        `max_per_hour ${policy.maxPerHour} reached for ${component}`,
      );
    } else if (held.has(policy.name)) {
      entry.outcome = 'held';
    } else {
      const failure = components ? validateActions(components, component, policy.actions) : null;
      if (failure) {
        skip(choice, entry, 'invalid', `${failure.code}: ${failure.message}`);
      } else if (remedy && offRemedy(policy, remedy)) {
        entry.outcome = choice.passedOver ? 'lower-priority' : 'not-selected';
        entry.reason = choice.passedOver
          ? `${entry.reason}; ${choice.passedOver.policy.name} ranks higher`
          : `${entry.reason}; none of its actions is a remedy of the diagnosed ${remedy.label}`;
        choice.passedOver ??= candidate;
      } else {
        entry.outcome = 'chosen';
        choice.chosen = policy;
        if (choice.passedOver)
          entry.reason = `${entry.reason}; before ${choice.passedOver.policy.name} (ranks higher): it takes a remedy of the diagnosed ${remedy?.label}`;
      }
    }
  }
  return choice;
}
