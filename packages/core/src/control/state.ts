import { z } from 'zod';

/** Which components a window or pause covers: every field that is set must match. */
const scopeSchema = z.object({
  all: z.boolean(),
  component: z.string().nullable(),
  team: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
});

/** A maintenance window or a pause, as the partition applied it. */
const leverSchema = z.object({
  controlId: z.string(),
  scope: scopeSchema,
  startsAt: z.number().nullable(),
  /** null: until ended. */
  endsAt: z.number().nullable(),
  /** 'weekly': active for (endsAt - startsAt) every 7 days from startsAt. */
  recurrence: z.string().nullable(),
  holdPages: z.boolean(),
  author: z.string(),
  comment: z.string(),
  createdAt: z.number(),
});

const ackSchema = z.object({
  controlId: z.string(),
  author: z.string(),
  comment: z.string(),
  createdAt: z.number(),
});

const overrideSchema = z.object({
  controlId: z.string(),
  mode: z.enum(['enforce', 'shadow', 'disabled']),
  author: z.string(),
  comment: z.string(),
  createdAt: z.number(),
});

/**
 * The operators' levers in force on one partition, applied from the control topic at one point
 * of the partition's stream and kept in its state (so the changelog keeps them over a crash).
 */
export const controlStateSchema = z.object({
  /** controlId → maintenance window. */
  windows: z.record(z.string(), leverSchema).default(() => ({})),
  /** controlId → pause. */
  pauses: z.record(z.string(), leverSchema).default(() => ({})),
  /** incidentId → acknowledgement: no further automatic action until it resolves. */
  acks: z.record(z.string(), ackSchema).default(() => ({})),
  /** policy name → run-time mode (the kill switch). */
  overrides: z.record(z.string(), overrideSchema).default(() => ({})),
});

export type ControlState = z.infer<typeof controlStateSchema>;
export type ControlLever = z.infer<typeof leverSchema>;
export type ControlAck = z.infer<typeof ackSchema>;
export type PolicyOverride = z.infer<typeof overrideSchema>;
export type ControlScopeState = z.infer<typeof scopeSchema>;

export function emptyControl(): ControlState {
  return { windows: {}, pauses: {}, acks: {}, overrides: {} };
}

/**
 * The control section of a state, also of one written before it existed (the evaluator reads
 * its state back from the changelog without re-parsing every record).
 */
export function controlOf(state: { control?: ControlState | undefined }): ControlState {
  return state.control ?? emptyControl();
}
