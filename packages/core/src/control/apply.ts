import type { ControlKind, ControlRecord } from '@healstream/contracts';
import type { EvaluatorState } from '../decide/state.js';
import { describeScope } from './scope.js';
import { controlOf, type ControlLever, type ControlState, type PolicyOverride } from './state.js';

export interface ControlApplied {
  state: EvaluatorState;
  /** Whether this version knows the record's kind; an unknown kind leaves the state as it was. */
  applied: boolean;
  /** One line for the audit log: what changed, by whom. */
  summary: string;
}

type Applier = (control: ControlState, record: ControlRecord) => string;

const lever = (r: ControlRecord): ControlLever => ({
  controlId: r.controlId,
  scope: { ...r.scope, labels: { ...r.scope.labels } },
  startsAt: r.startsAt,
  endsAt: r.endsAt,
  recurrence: r.recurrence,
  holdPages: r.holdPages,
  author: r.author,
  comment: r.comment,
  createdAt: r.createdAt,
});

const span = (r: ControlRecord) =>
  `${r.startsAt === null ? 'now' : new Date(r.startsAt).toISOString()} to ${r.endsAt === null ? 'until ended' : new Date(r.endsAt).toISOString()}${r.recurrence ? `, ${r.recurrence}` : ''}`;

const OVERRIDE_MODES = new Set<string>(['enforce', 'shadow', 'disabled']);

/**
 * One applier per kind. Each changes the (copied) control section in place and says what it did.
 * SET puts a lever in place or replaces it; END removes it.
 */
const appliers: Partial<Record<ControlKind, Applier>> = {
  MAINTENANCE(control, r) {
    if (r.action === 'END') {
      delete control.windows[r.controlId];
      return `maintenance window ${r.controlId} ended by ${r.author}`;
    }
    control.windows[r.controlId] = lever(r);
    return `maintenance window ${r.controlId} for ${describeScope(r.scope)}, ${span(r)}, pages ${r.holdPages ? 'held' : 'sent'}, by ${r.author}: ${r.comment}`;
  },
  PAUSE(control, r) {
    if (r.action === 'END') {
      delete control.pauses[r.controlId];
      return `pause ${r.controlId} lifted by ${r.author}`;
    }
    control.pauses[r.controlId] = lever(r);
    return `pause ${r.controlId} of ${describeScope(r.scope)}, ${span(r)}, by ${r.author}: ${r.comment}`;
  },
  ACKNOWLEDGE(control, r) {
    if (r.incidentId === null) return `acknowledgement ${r.controlId} names no incident: ignored`;
    if (r.action === 'END') {
      delete control.acks[r.incidentId];
      return `acknowledgement of incident ${r.incidentId} withdrawn by ${r.author}`;
    }
    control.acks[r.incidentId] = {
      controlId: r.controlId,
      author: r.author,
      comment: r.comment,
      createdAt: r.createdAt,
    };
    return `incident ${r.incidentId} acknowledged by ${r.author}: ${r.comment}`;
  },
  POLICY_OVERRIDE(control, r) {
    if (r.policy === null) return `policy override ${r.controlId} names no policy: ignored`;
    if (r.action === 'END') {
      delete control.overrides[r.policy];
      return `policy ${r.policy} back to its file's mode, by ${r.author}`;
    }
    if (r.policyMode === null || !OVERRIDE_MODES.has(r.policyMode))
      return `policy override ${r.controlId} has no known mode (${r.policyMode}): ignored`;
    control.overrides[r.policy] = {
      controlId: r.controlId,
      mode: r.policyMode as PolicyOverride['mode'],
      author: r.author,
      comment: r.comment,
      createdAt: r.createdAt,
    };
    return `policy ${r.policy} set to ${r.policyMode} by ${r.author}: ${r.comment}`;
  },
};

/**
 * Applies one control record to a partition's state. Pure: the input state is not changed.
 * Time plays no part here: whether a lever is in force is judged at each diagnosis's own time,
 * and expired ones are pruned with the rest of the state (pruneControl).
 */
export function applyControl(state: EvaluatorState, record: ControlRecord): ControlApplied {
  const apply = appliers[record.kind];
  if (!apply)
    return {
      state,
      applied: false,
      summary: `${record.kind} ${record.controlId}: not applied here`,
    };
  const current = controlOf(state);
  const control: ControlState = {
    windows: { ...current.windows },
    pauses: { ...current.pauses },
    acks: { ...current.acks },
    overrides: { ...current.overrides },
  };
  const summary = apply(control, record);
  return { state: { ...state, control }, applied: true, summary };
}
