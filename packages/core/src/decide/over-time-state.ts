/**
 * The evaluator state healing over time adds (flap damping and policy effectiveness), with its
 * pruning. Every field has a default, so a state written before these existed still restores.
 */
import { z } from 'zod';
import type { EffectivenessConfig, FlapConfig } from './over-time-config.js';

export const flapSchema = z.object({
  /** The damping penalty as of `at` (it decays from there). */
  penalty: z.number(),
  at: z.number(),
  /** Flaps counted since the record was created. */
  flaps: z.number(),
  /** Above suppressAt, not yet back below reuseBelow: nothing acts for this cause. */
  suppressed: z.boolean(),
  /** When the suppression began; null while not suppressed. */
  suppressedAt: z.number().nullable(),
  /** The one FLAPPING page of this suppression went out. */
  paged: z.boolean(),
  /** The last healing that reported RECOVERED; a re-open within the window is a flap. */
  recovered: z.object({ at: z.number(), policy: z.string(), incidentId: z.string() }).nullable(),
  /** Policies whose "cure" flapped in the current run of flaps: the next incident passes them over. */
  tried: z.array(z.string()),
});

/** One attempt of a policy on a component for a cause; pending until stableMs has passed. */
const attemptResultSchema = z.object({
  commandId: z.string(),
  at: z.number(),
  result: z.enum(['pending', 'success', 'failure']),
});

export const effectivenessSchema = z.object({
  attempts: z.array(attemptResultSchema),
  /** Set when the policy was demoted to shadow for this cause (the page went out then). */
  demotedAt: z.number().nullable(),
});

/** component → cause → flap record. */
export const flapsSchema = z.record(z.string(), z.record(z.string(), flapSchema)).default({});
/** component → policy → cause → attempts. */
export const effectivenessStateSchema = z
  .record(z.string(), z.record(z.string(), z.record(z.string(), effectivenessSchema)))
  .default({});

export type FlapRecord = z.infer<typeof flapSchema>;
export type Flaps = z.infer<typeof flapsSchema>;
export type PolicyRecord = z.infer<typeof effectivenessSchema>;
export type EffectivenessState = z.infer<typeof effectivenessStateSchema>;

/** The penalty decayed to `now`: halved every half-life. */
export function decayedPenalty(flap: FlapRecord, now: number, config: FlapConfig): number {
  return flap.penalty * Math.pow(2, -Math.max(0, now - flap.at) / config.halfLifeMs);
}

/**
 * A copy without the flap records that can no longer matter: no longer suppressed, penalty
 * decayed to almost nothing and the last recovery out of the window.
 */
export function pruneFlaps(flaps: Flaps, now: number, config: FlapConfig): Flaps {
  const kept: Flaps = {};
  for (const component in flaps) {
    const byCause = flaps[component]!;
    let causes: Record<string, FlapRecord> | undefined;
    for (const cause in byCause) {
      const flap = byCause[cause]!;
      const live =
        flap.suppressed ||
        decayedPenalty(flap, now, config) >= 0.01 ||
        (flap.recovered !== null && now - flap.recovered.at <= config.windowMs);
      if (live)
        (causes ??= {})[cause] = {
          ...flap,
          recovered: flap.recovered && { ...flap.recovered },
          tried: flap.tried.slice(),
        };
    }
    if (causes) kept[component] = causes;
  }
  return kept;
}

/**
 * The record's oldest attempt and oldest pending attempt (Infinity: none), kept beside the
 * record: records are replaced, never changed, and pruning asks about each one every decision.
 */
const oldestOf = new WeakMap<PolicyRecord, { oldest: number; pending: number }>();

/** Whether pruning at `now` changes the record: an attempt leaves the window or settles. */
function staleAt(record: PolicyRecord, now: number, config: EffectivenessConfig): boolean {
  let o = oldestOf.get(record);
  if (o === undefined) {
    o = { oldest: Infinity, pending: Infinity };
    for (const a of record.attempts) {
      if (a.at < o.oldest) o.oldest = a.at;
      if (a.result === 'pending' && a.at < o.pending) o.pending = a.at;
    }
    oldestOf.set(record, o);
  }
  // The same tests as on each attempt: the oldest one is the first to pass either.
  return now - o.oldest > config.windowMs || now - o.pending >= config.stableMs;
}

/**
 * A copy where pending attempts that stayed recovered for stableMs are settled as successes,
 * attempts older than the window are gone, and empty entries are dropped. The maps are new;
 * records and attempts are shared with the input (effectiveness.ts replaces them to change one).
 */
export function pruneEffectiveness(
  state: EffectivenessState,
  now: number,
  config: EffectivenessConfig,
): EffectivenessState {
  const kept: EffectivenessState = {};
  for (const component in state) {
    const byPolicy = state[component]!;
    let policies: EffectivenessState[string] | undefined;
    for (const policy in byPolicy) {
      const byCause = byPolicy[policy]!;
      let causes: Record<string, PolicyRecord> | undefined;
      for (const cause in byCause) {
        const record = byCause[cause]!;
        // Kept as it is when nothing in it changes at `now`: its users replace it, never change it.
        if (record.attempts.length > 0 && !staleAt(record, now, config)) {
          (causes ??= {})[cause] = record;
          continue;
        }
        const attempts = record.attempts
          .filter((a) => now - a.at <= config.windowMs)
          .map((a) =>
            a.result === 'pending' && now - a.at >= config.stableMs
              ? { ...a, result: 'success' as const }
              : a,
          );
        if (attempts.length > 0 || record.demotedAt !== null)
          (causes ??= {})[cause] = {
            attempts,
            demotedAt: attempts.length > 0 ? record.demotedAt : null,
          };
      }
      if (causes) (policies ??= {})[policy] = causes;
    }
    if (policies) kept[component] = policies;
  }
  return kept;
}
