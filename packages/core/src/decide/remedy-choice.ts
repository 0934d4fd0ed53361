import type { Policy } from '../policy/types.js';
import type { DecisionConfig } from './config.js';
import type { LadderChoice } from './evaluate.js';
import { takesRemedy, type RemedyView } from './remedies.js';
import type { EvaluatorState, IncidentLadder } from './state.js';

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

export interface RemedySettled {
  chosen: Policy | undefined;
  /** Why nothing acts yet: a policy waits for one taking a remedy (the decision's reason). */
  waiting: string | null;
}

/**
 * The ladder passed over a policy taking none of the remedies of a confident diagnosis, and no
 * lower-ranked one taking a remedy could act. It waits `remedyWaitMs` from when it could first
 * have acted (its conditions first seen true plus its `for:`), while a policy taking a remedy
 * may still come (enabled, enforcing, not tried for this incident, not in cooldown past the
 * wait); then, or when none may come, it acts as its rank says. `whatIf` (explain) answers for
 * a situation that lasts: the wait is taken as over.
 */
export function settleRemedy(
  walk: LadderChoice,
  ctx: {
    remedy: RemedyView | null;
    policies: readonly Policy[];
    incident: IncidentLadder;
    state: EvaluatorState;
    component: string;
    config: DecisionConfig;
    now: number;
    whatIf?: boolean | undefined;
  },
): RemedySettled {
  const { passedOver } = walk;
  const { remedy, incident, config, now } = ctx;
  if (walk.chosen || !passedOver || !remedy) return { chosen: walk.chosen, waiting: null };
  const { policy, entry } = passedOver;
  const since = (incident.holds[policy.name] ?? now) + policy.forMs;
  const until = since + config.remedyWaitMs;
  const cooldowns = ctx.state.cooldowns[ctx.component] ?? {};
  const mayCome = ctx.policies.some(
    (p) =>
      p.enabled &&
      p.mode === 'enforce' &&
      takesRemedy(p, remedy) &&
      !incident.tried.includes(p.name) &&
      (cooldowns[p.name] ?? 0) <= until,
  );
  const wait = seconds(config.remedyWaitMs);
  if (!ctx.whatIf && mayCome && now < until) {
    const at = new Date(until).toISOString();
    entry.reason = `${entry.reason}; waits until ${at} for a policy taking one`;
    return {
      chosen: undefined,
      waiting: `${policy.name} waits up to ${wait} (until ${at}) for a policy taking a remedy of the diagnosed ${remedy.label}`,
    };
  }
  entry.outcome = 'chosen';
  entry.reason = `${entry.reason}; acts: ${
    !mayCome
      ? 'no policy that may act takes one'
      : ctx.whatIf
        ? `after ${wait}, as no matching policy takes one`
        : `none acted within ${wait}`
  }`;
  return { chosen: policy, waiting: null };
}
