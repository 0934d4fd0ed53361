import { z } from 'zod';
import { PoisonRecordError } from '@healstream/contracts';
import type { DecisionConfig } from './config.js';
import { controlStateSchema, controlOf, emptyControl } from '../control/state.js';
import { pruneControl } from '../control/prune.js';
import { isEmptyRecord } from '../records.js';
import { approvalsSchema, pruneApprovals } from './approval-state.js';
import {
  effectivenessStateSchema,
  flapsSchema,
  pruneEffectiveness,
  pruneFlaps,
} from './over-time-state.js';

export const STATE_VERSION = 1;

export const inFlightSchema = z.object({
  commandId: z.string(),
  incidentId: z.string(),
  policy: z.string(),
  attempt: z.number(),
  issuedAt: z.number(),
  deadline: z.number(),
});

const attemptSchema = z.object({
  commandId: z.string(),
  policy: z.string(),
  attempt: z.number(),
  issuedAt: z.number(),
  /** RECOVERED, NOT_RECOVERED, FAILED, UNKNOWN; null while in flight. */
  result: z.string().nullable(),
  /** When its outcome came back (the outcome's time); null while in flight. */
  settledAt: z.number().nullable().default(null),
});

export const incidentSchema = z.object({
  component: z.string(),
  openedAt: z.number(),
  lastSeenAt: z.number(),
  closedAt: z.number().nullable(),
  /** Commands dispatched (ENFORCE) for this incident. */
  attempts: z.number(),
  /** Policies whose command failed or did not recover: the ladder moves past them. */
  tried: z.array(z.string()),
  escalated: z.boolean(),
  history: z.array(attemptSchema),
  /** policy → when its conditions were first seen true in a row (`for:`); absent once false. */
  holds: z.record(z.string(), z.number()).default({}),
  /** Maintenance windows that already paged for this incident (once per window, not per step). */
  controlPaged: z.array(z.string()).default(() => []),
  /** The top diagnosed cause when the incident opened: flap damping and effectiveness key on it. */
  cause: z.string().default(''),
  /** Set when this incident re-opened a cause right after a "successful" healing (flapping.ts). */
  flap: z
    .object({
      previousIncidentId: z.string(),
      policy: z.string(),
      penalty: z.number(),
      /** The policies passed over because their cures flapped. */
      policies: z.array(z.string()).default([]),
    })
    .nullable()
    .default(null),
  /** An UNHANDLED page was asked for (decide/unhandled.ts); absent in older states. */
  unhandledPaged: z.boolean().optional(),
  /** CRITICAL once any of its diagnoses was: the severity of its UNHANDLED page. */
  unhandledSeverity: z.enum(['WARNING', 'CRITICAL']).optional(),
});

export const dispatchSchema = z.object({
  at: z.number(),
  component: z.string(),
  policy: z.string(),
});

/** The policy-evaluator's state for one partition: plain JSON, versioned, bounded by pruneState. */
export const evaluatorStateSchema = z.object({
  version: z.literal(STATE_VERSION),
  /** component → policy → cooldown end (epoch ms). */
  cooldowns: z.record(z.string(), z.record(z.string(), z.number())),
  /** ENFORCE dispatches of the last hour, oldest first: the rate-limit windows. */
  dispatches: z.array(dispatchSchema),
  /** component → the command awaiting its outcome. */
  inFlight: z.record(z.string(), inFlightSchema),
  incidents: z.record(z.string(), incidentSchema),
  /** When the per-minute / per-hour budget last raised a STORM_BREAKER (null: armed). */
  storm: z.object({ minute: z.number().nullable(), hour: z.number().nullable() }),
  /** Operators' levers from the control topic (maintenance, pauses, acks, policy overrides). */
  control: controlStateSchema.default(emptyControl),
  /** commandId → a command waiting for (or answered by) a person. */
  approvals: approvalsSchema,
  /** component → cause → flap damping record. */
  flaps: flapsSchema,
  /** component → policy → cause → attempts and demotion. */
  effectiveness: effectivenessStateSchema,
});

export type EvaluatorState = z.infer<typeof evaluatorStateSchema>;

/**
 * What a view of some components (keyed-state.ts) knows of the partition's other incidents:
 * the incident with this id when another component holds it and it is still kept at `now`.
 * Acknowledgements are partition-wide and pruned by their incident, wherever it lives.
 */
export type IncidentElsewhere = (
  incidentId: string,
  now: number,
) => { closedAt: number | null } | undefined;

/** The state, or a view of a few of its components with a look-up of the others' incidents. */
export type EvaluatorView = EvaluatorState & { elsewhere?: IncidentElsewhere };
export type IncidentLadder = z.infer<typeof incidentSchema>;
export type InFlightCommand = z.infer<typeof inFlightSchema>;
export type Dispatch = z.infer<typeof dispatchSchema>;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export function emptyState(): EvaluatorState {
  return {
    version: STATE_VERSION,
    cooldowns: {},
    dispatches: [],
    inFlight: {},
    incidents: {},
    storm: { minute: null, hour: null },
    control: emptyControl(),
    approvals: {},
    flaps: {},
    effectiveness: {},
  };
}

/** Validates a state read back from the changelog (throws STATE_INVALID, never retriable). */
export function restoreState(json: unknown): EvaluatorState {
  const result = evaluatorStateSchema.safeParse(json);
  if (!result.success) {
    throw new PoisonRecordError(
      'STATE_INVALID',
      `policy-evaluator state is invalid: ${result.error.issues[0]?.message ?? ''}`,
    );
  }
  return result.data;
}

/**
 * A copy of the state without what can no longer matter at `now`: expired cooldowns,
 * dispatches older than an hour, in-flight commands past deadline + grace (lost), incidents
 * closed longer than the retention or idle too long, and re-armed storm breakers. The copy's
 * maps and lists are new, so callers may add and remove entries; incident entries are shared
 * with the input: change one only through `editIncident`.
 */
export function pruneState(
  state: EvaluatorView,
  now: number,
  config: DecisionConfig,
): EvaluatorView {
  // Loops over keys rather than Object.entries: this runs once per decision, and the pairs'
  // arrays were most of what it allocated.
  const cooldowns: EvaluatorState['cooldowns'] = {};
  for (const component in state.cooldowns) {
    const byPolicy = state.cooldowns[component]!;
    let kept: Record<string, number> | undefined;
    for (const policy in byPolicy) {
      const until = byPolicy[policy]!;
      if (until > now) (kept ??= {})[policy] = until;
    }
    if (kept) cooldowns[component] = kept;
  }
  const hourAgo = now - HOUR_MS;
  // Oldest first as they were dispatched: what is left after the first kept one is usually
  // all kept, and copied at once (an event out of order still goes through the filter).
  const all = state.dispatches;
  let start = 0;
  while (start < all.length && all[start]!.at <= hourAgo) start++;
  let rest = true;
  for (let i = start; i < all.length && rest; i++) rest = all[i]!.at > hourAgo;
  const dispatches = rest ? all.slice(start) : all.filter((d) => d.at > hourAgo);
  const inFlight: EvaluatorState['inFlight'] = {};
  for (const component in state.inFlight) {
    const command = state.inFlight[component]!;
    if (now <= command.deadline + config.inFlightGraceMs) inFlight[component] = command;
  }
  let incidents: EvaluatorState['incidents'] = {};
  let count = 0;
  for (const id in state.incidents) {
    const inc = state.incidents[id]!;
    if (incidentKept(inc, now, config)) {
      incidents[id] = inc;
      count++;
    }
  }
  if (count > config.maxIncidents) {
    const entries = keepNewest(Object.entries(incidents), config.maxIncidents);
    incidents = {};
    for (const [id, inc] of entries) incidents[id] = inc;
  }
  const storm = {
    minute:
      state.storm.minute !== null && now - state.storm.minute < MINUTE_MS
        ? state.storm.minute
        : null,
    hour: state.storm.hour !== null && now - state.storm.hour < HOUR_MS ? state.storm.hour : null,
  };
  const approvals = pruneApprovals(state.approvals ?? {}, now, config);
  const { elsewhere } = state;
  const before = controlOf(state);
  // Acknowledgements are pruned by their incident; without any, nothing asks for one.
  const control = pruneControl(
    before,
    now,
    isEmptyRecord(before.acks) ? noIncident : (id) => incidents[id] ?? elsewhere?.(id, now),
    config,
  );
  const pruned: EvaluatorView = {
    version: STATE_VERSION,
    cooldowns,
    dispatches,
    inFlight,
    incidents,
    storm,
    control,
    approvals,
    flaps: pruneFlaps(state.flaps, now, config.flap),
    effectiveness: pruneEffectiveness(state.effectiveness, now, config.effectiveness),
  };
  if (elsewhere) pruned.elsewhere = elsewhere;
  return pruned;
}

const noIncident = () => undefined;

/** The `max` incidents kept over the cap: the oldest closed go first, then the least recently seen. */
export function keepNewest<T extends [string, IncidentLadder]>(entries: T[], max: number): T[] {
  const rank = (inc: IncidentLadder) => (inc.closedAt === null ? 1 : 0);
  return entries
    .sort(([, a], [, b]) => rank(a) - rank(b) || a.lastSeenAt - b.lastSeenAt)
    .slice(entries.length - max);
}

/** Whether pruning at `now` keeps this incident (maxIncidents aside). */
export function incidentKept(
  inc: Pick<IncidentLadder, 'closedAt' | 'lastSeenAt'>,
  now: number,
  config: Pick<DecisionConfig, 'idleIncidentMs' | 'incidentRetentionMs'>,
): boolean {
  return inc.closedAt === null
    ? now - inc.lastSeenAt <= config.idleIncidentMs
    : now - inc.closedAt <= config.incidentRetentionMs;
}

/** A fresh record (a spread of a record once deleted from copies a slow dictionary). */
function copyHolds(holds: Record<string, number>): Record<string, number> {
  const copy: Record<string, number> = {};
  for (const policy in holds) copy[policy] = holds[policy]!;
  return copy;
}

/** Gives the pruned state its own copy of one incident, safe to change in place. */
export function editIncident(
  state: EvaluatorState,
  incidentId: string,
): IncidentLadder | undefined {
  const inc = state.incidents[incidentId];
  if (!inc) return undefined;
  const history = new Array<IncidentLadder['history'][number]>(inc.history.length);
  for (let i = 0; i < history.length; i++) history[i] = { ...inc.history[i]! };
  const copy = {
    ...inc,
    tried: inc.tried.slice(),
    history,
    holds: copyHolds(inc.holds),
    controlPaged: inc.controlPaged.slice(),
    flap: inc.flap && { ...inc.flap, policies: inc.flap.policies.slice() },
  };
  state.incidents[incidentId] = copy;
  return copy;
}
