import type { Diagnosis } from '@healstream/contracts';
import type { Policy } from '../policy/types.js';

/**
 * The actions that address each catalogued cause, from the "When to use" list of every recovery
 * action in the reference design (self-healing-patterns.md, Recovery Actions): restart-service
 * for memory leaks, deadlocks, resource exhaustion and connection-pool issues (and the crashed
 * service of its opening example); scale-up for high CPU/memory and increasing traffic; the
 * circuit breaker and fallback mode for dependency failures; a rollback for a new deployment
 * causing issues. `unknown` has none: nothing is known to prefer.
 */
export const CAUSE_REMEDIES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'connection-pool-exhaustion': ['restart-service'],
  'memory-leak': ['restart-service'],
  'deadlock-hang': ['restart-service'],
  'crash-silence': ['restart-service'],
  'resource-exhaustion': ['scale-up', 'restart-service'],
  'traffic-spike': ['scale-up'],
  'dependency-failure': ['enable-circuit-breaker', 'fallback-mode'],
  'bad-deploy': ['rollback-deployment'],
});

/** Actions that change the component (a remedy of some cause); alert-oncall, scale-down are not. */
const REMEDIAL = new Set(Object.values(CAUSE_REMEDIES).flat());

/** What a confident diagnosis asks of the acting policy. */
export interface RemedyView {
  /** The remedies of every cause named with at least the configured confidence. */
  actions: ReadonlySet<string>;
  /** For reasons: `memory-leak (0.80): restart-service`. */
  label: string;
}

/** The remedies of the causes this diagnosis names with `minConfidence` or more; null if none. */
export function remedyView(diagnosis: Diagnosis, minConfidence: number | null): RemedyView | null {
  if (minConfidence === null) return null;
  const named = [...diagnosis.causes]
    .filter((c) => c.confidence >= minConfidence && (CAUSE_REMEDIES[c.cause]?.length ?? 0) > 0)
    .sort((a, b) => b.confidence - a.confidence);
  if (named.length === 0) return null;
  const actions = new Set(named.flatMap((c) => CAUSE_REMEDIES[c.cause] ?? []));
  const label = named
    .map((c) => `${c.cause} (${c.confidence.toFixed(2)}): ${CAUSE_REMEDIES[c.cause]?.join(', ')}`)
    .join('; ');
  return { actions, label };
}

/** The policy takes one of the remedies. */
export const takesRemedy = (policy: Policy, view: RemedyView): boolean =>
  policy.actions.some((a) => view.actions.has(a.name));

/**
 * The policy would change the component, but in none of the ways the diagnosis asks for (a
 * scale-up on a leak, a restart on a failing dependency). A policy that only pages, or takes an
 * action no cause names (scale-down), is never off-remedy.
 */
export const offRemedy = (policy: Policy, view: RemedyView): boolean =>
  !takesRemedy(policy, view) && policy.actions.some((a) => REMEDIAL.has(a.name));
