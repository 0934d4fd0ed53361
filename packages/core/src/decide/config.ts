import { z } from 'zod';
import { effectivenessConfigSchema, flapConfigSchema } from './over-time-config.js';

/**
 * Limits of the policy-evaluator. The fleet budgets are fleet-wide: each partition's evaluator
 * enforces `budget / partitionCount` (rounded down, at least 1), so the fleet as a whole never
 * exceeds the budget while state stays partition-local. A fleet whose components hash unevenly
 * onto partitions reaches its per-partition share earlier on the busy partitions.
 */
export const decisionConfigSchema = z.strictObject({
  /** Commands dispatched per incident before the verdict is ESCALATE. */
  maxAttempts: z.number().int().min(1).max(20).default(3),
  /** Dispatches per component per rolling hour, whatever the policy. */
  perComponentPerHour: z.number().int().min(1).default(12),
  fleetPerMinute: z.number().int().min(1).default(60),
  fleetPerHour: z.number().int().min(1).default(500),
  partitionCount: z.number().int().min(1).default(12),
  /** The partition this state belongs to; only used in STORM_BREAKER dedup keys. */
  partition: z.number().int().min(0).default(0),
  /** deadline = issuedAt + commandTimeoutMs; the executor gives up by then. */
  commandTimeoutMs: z.number().int().min(1000).default(120_000),
  /** After deadline + grace, an in-flight command without outcome is lost and no longer blocks. */
  inFlightGraceMs: z.number().int().min(0).default(30_000),
  /** A metric reading older than this never satisfies a condition. */
  staleAfterMs: z.number().int().min(1).default(60_000),
  /** Closed incidents are kept this long, so late outcomes still find their ladder. */
  incidentRetentionMs: z.number().int().min(0).default(3_600_000),
  /** Open incidents with no diagnosis nor outcome for this long are forgotten. */
  idleIncidentMs: z.number().int().min(1).default(86_400_000),
  /** Hard cap on incidents kept; the oldest closed, then least recently seen, go first. */
  maxIncidents: z.number().int().min(1).default(10_000),
  /** Flap damping per component × cause (flapping.ts). */
  flap: flapConfigSchema.prefault({}),
  /** Success rate per policy × cause × component and demotion to shadow (effectiveness.ts). */
  effectiveness: effectivenessConfigSchema.prefault({}),
  /**
   * An incident no policy has acted on (every step NO_MATCH) is paged once it lasts this long
   * (source UNHANDLED); null never pages it (decide/unhandled.ts).
   */
  unhandledPageAfterMs: z.number().int().min(0).nullable().default(300_000),
  /**
   * A cause diagnosed with this confidence or more is remedied first: among the policies that
   * may act, one taking its remedy (decide/remedies.ts) acts before a higher-ranked one taking
   * none; null leaves the choice to rank alone. 0.55: where a named cause was right in 96% or
   * more of every confidence bucket on the tune seeds of `pnpm bench:diagnosis`.
   */
  remedyMinConfidence: z.number().min(0).max(1).nullable().default(0.55),
  /**
   * How long a policy that may act, but takes none of those remedies, waits for one that does
   * (counted from when its own `for:` was served); then it acts. A minute: the reference's
   * recovery time.
   */
  remedyWaitMs: z.number().int().min(0).default(60_000),
  /**
   * An incident that re-opens on a component this soon after the last one resolved, with
   * nothing acted on in between, keeps that incident's holds (`for:`): a fault on its way in
   * that flickers across a detection line is one fault, not a row of blips (decide/holds.ts).
   * 0 (the default) starts every incident's holds afresh: with 30 s, two outliers 15 s apart
   * (zero throughput in both) restarted a service in the blip property test, the second
   * incident serving the hold the first one began.
   */
  holdCarryMs: z.number().int().min(0).default(0),
});

export type DecisionConfig = z.infer<typeof decisionConfigSchema>;
export type DecisionConfigInput = z.input<typeof decisionConfigSchema>;

export function resolveDecisionConfig(input: DecisionConfigInput = {}): DecisionConfig {
  return Object.freeze(decisionConfigSchema.parse(input));
}

export const DEFAULT_DECISION_CONFIG: DecisionConfig = resolveDecisionConfig();

export function partitionBudget(fleetBudget: number, partitionCount: number): number {
  return Math.max(1, Math.floor(fleetBudget / partitionCount));
}
