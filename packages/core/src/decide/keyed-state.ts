/**
 * The policy-evaluator's state as keys of its changelog: one partition-wide part (the rate
 * windows, the storm breaker, the operators' levers, approvals) under `partition`, and one slice
 * per component (its cooldowns, its command in flight, its incidents, its flap damping and
 * policy effectiveness) under `c/<component>`. A step of the decision runs on a view of the
 * partition part and the slices it concerns: an EvaluatorState holding only those components,
 * so pruning and copying cost what those components hold, not what the partition holds.
 */
import { z } from 'zod';
import { PoisonRecordError } from '@healstream/contracts';
import { controlOf } from '../control/state.js';
import { isEmptyRecord } from '../records.js';
import type { DecisionConfig } from './config.js';
import { effectivenessSchema, flapSchema } from './over-time-state.js';
import {
  STATE_VERSION,
  evaluatorStateSchema,
  inFlightSchema,
  incidentSchema,
  pruneState,
  type EvaluatorState,
  type EvaluatorView,
  type IncidentElsewhere,
} from './state.js';

export const PARTITION_KEY = 'partition';
export const SLICE_PREFIX = 'c/';
/** The one key of the state written before it was split (read once, on restore, then deleted). */
export const LEGACY_STATE_KEY = 'evaluator';

export const sliceKey = (component: string) => `${SLICE_PREFIX}${component}`;

export const partitionPartSchema = evaluatorStateSchema.pick({
  version: true,
  dispatches: true,
  storm: true,
  control: true,
  approvals: true,
});

export const componentSliceSchema = z.object({
  /** policy → cooldown end (epoch ms). */
  cooldowns: z.record(z.string(), z.number()).default({}),
  inFlight: inFlightSchema.nullable().default(null),
  incidents: z.record(z.string(), incidentSchema).default({}),
  /** cause → flap damping record. */
  flaps: z.record(z.string(), flapSchema).default({}),
  /** policy → cause → attempts and demotion. */
  effectiveness: z.record(z.string(), z.record(z.string(), effectivenessSchema)).default({}),
});

export type PartitionPart = z.infer<typeof partitionPartSchema>;
export type ComponentSlice = z.infer<typeof componentSliceSchema>;

export function emptyPartitionPart(): PartitionPart {
  return {
    version: STATE_VERSION,
    dispatches: [],
    storm: { minute: null, hour: null },
    control: { windows: {}, pauses: {}, acks: {}, overrides: {} },
    approvals: {},
  };
}

function parsed<T extends z.ZodType>(schema: T, json: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(json);
  if (!result.success)
    throw new PoisonRecordError(
      'STATE_INVALID',
      `policy-evaluator state (${what}) is invalid: ${result.error.issues[0]?.message ?? ''}`,
    );
  return result.data;
}

/** Validates keys read back from the changelog (throws STATE_INVALID, never retriable). */
export const restorePartitionPart = (json: unknown): PartitionPart =>
  parsed(partitionPartSchema, json, PARTITION_KEY);
export const restoreSlice = (json: unknown, key: string): ComponentSlice =>
  parsed(componentSliceSchema, json, key);

export const sliceIsEmpty = (s: ComponentSlice) =>
  s.inFlight === null &&
  isEmptyRecord(s.incidents) &&
  isEmptyRecord(s.cooldowns) &&
  isEmptyRecord(s.flaps) &&
  isEmptyRecord(s.effectiveness);

/** An EvaluatorState of the partition part and these components' slices. Shares, never copies. */
export function viewOf(
  part: PartitionPart,
  slices: Iterable<readonly [string, ComponentSlice | undefined]>,
  elsewhere?: IncidentElsewhere,
): EvaluatorView {
  const view: EvaluatorView = {
    version: STATE_VERSION,
    cooldowns: {},
    dispatches: part.dispatches,
    inFlight: {},
    incidents: {},
    storm: part.storm,
    control: part.control,
    approvals: part.approvals,
    flaps: {},
    effectiveness: {},
  };
  for (const [component, s] of slices) {
    if (!s) continue;
    if (!isEmptyRecord(s.cooldowns)) view.cooldowns[component] = s.cooldowns;
    if (s.inFlight) view.inFlight[component] = s.inFlight;
    for (const id in s.incidents) view.incidents[id] = s.incidents[id]!;
    if (!isEmptyRecord(s.flaps)) view.flaps[component] = s.flaps;
    if (!isEmptyRecord(s.effectiveness)) view.effectiveness[component] = s.effectiveness;
  }
  if (elsewhere) view.elsewhere = elsewhere;
  return view;
}

export function partitionPartOf(state: EvaluatorState): PartitionPart {
  return {
    version: STATE_VERSION,
    dispatches: state.dispatches,
    storm: state.storm,
    control: controlOf(state),
    approvals: state.approvals ?? {},
  };
}

/** Each component's slice of a state (or of a view): the inverse of viewOf. */
export function slicesOf(
  state: EvaluatorState,
  components: Iterable<string>,
): Map<string, ComponentSlice> {
  const slices = new Map<string, ComponentSlice>();
  for (const c of components)
    slices.set(c, {
      cooldowns: state.cooldowns[c] ?? {},
      inFlight: state.inFlight[c] ?? null,
      incidents: {},
      flaps: state.flaps[c] ?? {},
      effectiveness: state.effectiveness[c] ?? {},
    });
  for (const id in state.incidents) {
    const inc = state.incidents[id]!;
    const slice = slices.get(inc.component);
    if (slice) slice.incidents[id] = inc;
  }
  return slices;
}

/** Every component an old single-key state holds, for the split on restore. */
export function componentsOf(state: EvaluatorState): Set<string> {
  const components = new Set([
    ...Object.keys(state.cooldowns),
    ...Object.keys(state.inFlight),
    ...Object.keys(state.flaps),
    ...Object.keys(state.effectiveness),
  ]);
  for (const inc of Object.values(state.incidents)) components.add(inc.component);
  return components;
}

/** One slice pruned at `now` as pruneState prunes it (the partition cap aside: the caller's). */
export function pruneSlice(
  component: string,
  slice: ComponentSlice,
  now: number,
  config: DecisionConfig,
): ComponentSlice {
  const pruned = pruneState(viewOf(emptyPartitionPart(), [[component, slice]]), now, {
    ...config,
    maxIncidents: Number.MAX_SAFE_INTEGER,
  });
  return slicesOf(pruned, [component]).get(component)!;
}

/**
 * A time before which pruning cannot leave the slice empty (Infinity while a flap suppression
 * holds: only the component's own next diagnosis lifts it). The idle sweep looks again then.
 */
export function emptyBy(slice: ComponentSlice, config: DecisionConfig): number {
  let t = -Infinity;
  for (const policy in slice.cooldowns) t = Math.max(t, slice.cooldowns[policy]!);
  if (slice.inFlight) t = Math.max(t, slice.inFlight.deadline + config.inFlightGraceMs + 1);
  for (const inc of Object.values(slice.incidents))
    t = Math.max(
      t,
      inc.closedAt === null
        ? inc.lastSeenAt + config.idleIncidentMs + 1
        : inc.closedAt + config.incidentRetentionMs + 1,
    );
  for (const flap of Object.values(slice.flaps)) {
    if (flap.suppressed) return Infinity;
    if (flap.recovered) t = Math.max(t, flap.recovered.at + config.flap.windowMs + 1);
    if (flap.penalty >= 0.01)
      t = Math.max(
        t,
        flap.at + Math.floor(config.flap.halfLifeMs * Math.log2(flap.penalty / 0.01)),
      );
  }
  for (const byCause of Object.values(slice.effectiveness))
    for (const record of Object.values(byCause))
      for (const a of record.attempts) t = Math.max(t, a.at + config.effectiveness.windowMs + 1);
  return t;
}
