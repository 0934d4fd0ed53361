import type { ControlRecord, HealingOutcome } from '@healstream/contracts';
import { applyControl, type ControlApplied } from '../control/apply.js';
import { applyApproval, settleApprovals, type ApprovalEffects } from './approval-settle.js';
import { applyOutcome } from './apply-outcome.js';
import type { DecisionConfig } from './config.js';
import { decide } from './decide.js';
import {
  LEGACY_STATE_KEY,
  PARTITION_KEY,
  SLICE_PREFIX,
  componentsOf,
  emptyBy,
  emptyPartitionPart,
  partitionPartOf,
  pruneSlice,
  restorePartitionPart,
  restoreSlice,
  sliceIsEmpty,
  sliceKey,
  slicesOf,
  viewOf,
  type ComponentSlice,
  type PartitionPart,
} from './keyed-state.js';
import { encodeEvaluatorKey } from './keyed-encode.js';
import { samePart, sameSlice } from './keyed-same.js';
import {
  incidentKept,
  keepNewest,
  restoreState,
  type EvaluatorState,
  type EvaluatorView,
  type IncidentLadder,
} from './state.js';
import type { DecideInput, DecideResult } from './steps.js';

/** The keyed state a handler's transaction drives (the runtime's PartitionState is one). */
export interface EvaluatorKeyValue {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  keys(): string[];
  /** Replaces a committed value at restore time without writing it again. */
  load(key: string, value: unknown): void;
  /** Takes the text the changelog should hold for a value (the same as JSON.stringify's). */
  encodeWith?(encode: (key: string, value: unknown) => string): void;
}

/** Whether settling approvals produced anything: only then is its state written. */
export const approvalsChanged = (fx: ApprovalEffects) =>
  fx.decisions.length + fx.commands.length + fx.escalations.length + fx.notes.length > 0;

/**
 * One partition's evaluator state over its keyed changelog (keyed-state.ts). Each step runs the
 * pure core on a view of the partition part and the slices it concerns and writes back only
 * the keys it changed; a slice left empty is deleted. What spans components is kept exact:
 * acknowledgements are pruned by their incident wherever it lives, the incident cap counts the
 * whole partition, and the slices no record reads any more are swept once they prune to nothing.
 */
export class EvaluatorStore {
  /** incidentId → the component whose slice holds it. */
  private readonly index = new Map<string, string>();
  /** component → a time before which its slice cannot prune to nothing (emptyBy). */
  private readonly due = new Map<string, number>();
  private readonly touched = new Set<string>();
  private nextDue = Infinity;
  /** The newest time the state was pruned at: the idle sweep's clock. */
  private latest = -Infinity;

  constructor(
    private readonly store: EvaluatorKeyValue,
    private readonly config: DecisionConfig,
  ) {}

  /** Validates what was restored; a state written as one key is split into keys (and deleted). */
  open(): void {
    this.store.encodeWith?.(encodeEvaluatorKey);
    const legacy = this.store.get(LEGACY_STATE_KEY);
    for (const key of this.store.keys()) {
      const value = this.store.get(key);
      if (key === PARTITION_KEY) this.store.load(key, restorePartitionPart(value));
      else if (key.startsWith(SLICE_PREFIX)) this.store.load(key, restoreSlice(value, key));
    }
    if (legacy !== undefined) this.upgrade(restoreState(legacy));
    this.reindex();
  }

  /** After an abort the store is back at its last commit: so are the indexes. */
  reindex(): void {
    this.index.clear();
    this.due.clear();
    this.nextDue = Infinity;
    for (const key of this.store.keys()) {
      if (!key.startsWith(SLICE_PREFIX)) continue;
      const component = key.slice(SLICE_PREFIX.length);
      for (const id in this.slice(component)?.incidents) this.index.set(id, component);
      this.touched.add(component);
    }
  }

  part(): PartitionPart {
    return (this.store.get(PARTITION_KEY) as PartitionPart | undefined) ?? emptyPartitionPart();
  }

  slice(component: string): ComponentSlice | undefined {
    return this.store.get(sliceKey(component)) as ComponentSlice | undefined;
  }

  /** Incidents the partition holds (some may be past their time until their slice is read). */
  get incidentCount(): number {
    return this.index.size;
  }

  decide(input: Omit<DecideInput, 'state'>): DecideResult & { before: EvaluatorView } {
    const { diagnosis, now } = input;
    return this.step([diagnosis.component, this.index.get(diagnosis.incidentId)], now, (state) =>
      decide({ ...input, state }),
    );
  }

  applyOutcome(
    outcome: HealingOutcome,
    now: number,
  ): { state: EvaluatorState; before: EvaluatorView } {
    return this.step([outcome.component, this.index.get(outcome.incidentId)], now, (view) => ({
      state: applyOutcome(view, outcome, now, this.config),
    }));
  }

  /** settleApprovals over the slices of the commands that wait; written only when it did something. */
  settleApprovals(now: number): ApprovalEffects {
    const part = this.part();
    const waiting = this.waiting(part);
    // Nothing waits: settleApprovals gives the state back as it is, without pruning it.
    if (waiting.length === 0) return settleApprovals(viewOf(part, []), now, this.config);
    return this.step(waiting, now, (v) => settleApprovals(v, now, this.config), approvalsChanged);
  }

  applyApproval(record: ControlRecord, now: number): ApprovalEffects {
    const part = this.part();
    const entry = record.commandId === null ? undefined : part.approvals[record.commandId];
    if (!entry) return this.settleApprovals(now);
    return this.step(
      [entry.command.component, this.index.get(entry.command.incidentId), ...this.waiting(part)],
      now,
      (view) => applyApproval(view, record, now, this.config),
      approvalsChanged,
    );
  }

  /** Control levers are partition-wide: no slice is read, nothing is pruned. */
  applyControl(record: ControlRecord): ControlApplied {
    const applied = applyControl(viewOf(this.part(), []), record);
    if (applied.applied) this.write(applied.state, new Set());
    return applied;
  }

  /** Before the changed keys go out: slices nothing reads any more that prune to nothing go. */
  sweep(): void {
    for (const c of this.touched) {
      const s = this.slice(c);
      if (s) this.schedule(c, emptyBy(s, this.config));
    }
    this.touched.clear();
    const now = this.latest;
    if (now < this.nextDue) return;
    this.nextDue = Infinity;
    for (const [c, at] of this.due) {
      const slice = this.slice(c);
      if (!slice) this.due.delete(c);
      else if (at > now) this.nextDue = Math.min(this.nextDue, at);
      else {
        const pruned = pruneSlice(c, slice, now, this.config);
        if (sliceIsEmpty(pruned)) this.put(c, pruned);
        else this.schedule(c, Math.max(emptyBy(pruned, this.config), now + 1));
      }
    }
  }

  private waiting(part: PartitionPart): (string | undefined)[] {
    return Object.values(part.approvals)
      .filter((a) => a.status === 'pending')
      .flatMap((a) => [a.command.component, this.index.get(a.command.incidentId)]);
  }

  private schedule(component: string, at: number): void {
    this.due.set(component, at);
    this.nextDue = Math.min(this.nextDue, at);
  }

  private step<R extends { state: EvaluatorState }>(
    concerned: readonly (string | undefined)[],
    now: number,
    run: (view: EvaluatorView) => R,
    keep: (r: R) => boolean = () => true,
  ): R & { before: EvaluatorView } {
    const components = new Set<string>();
    for (const c of concerned) if (c !== undefined) components.add(c);
    this.capIncidents(now);
    const slices: (readonly [string, ComponentSlice | undefined])[] = [];
    for (const c of components) slices.push([c, this.slice(c)]);
    const before = viewOf(this.part(), slices, (id, at) => {
      const c = this.index.get(id);
      if (c === undefined || components.has(c)) return undefined;
      const inc = this.slice(c)?.incidents[id];
      return inc && incidentKept(inc, at, this.config) ? inc : undefined;
    });
    const out = run(before) as R & { before: EvaluatorView };
    if (keep(out)) {
      this.latest = Math.max(this.latest, now);
      this.write(out.state, components);
    }
    // `run` built `out` for this step alone: it carries the view it ran on, without a copy.
    out.before = before;
    return out;
  }

  private write(state: EvaluatorState, components: ReadonlySet<string>): void {
    const part = partitionPartOf(state);
    if (!samePart(this.part(), part)) this.store.set(PARTITION_KEY, part);
    for (const [c, slice] of slicesOf(state, components)) this.put(c, slice);
  }

  private put(component: string, slice: ComponentSlice): void {
    const key = sliceKey(component);
    const old = this.slice(component);
    if (old ? sameSlice(old, slice) : sliceIsEmpty(slice)) return;
    if (old) for (const id in old.incidents) if (!(id in slice.incidents)) this.index.delete(id);
    for (const id in slice.incidents) this.index.set(id, component);
    if (sliceIsEmpty(slice)) {
      this.store.delete(key);
      this.due.delete(component);
    } else {
      this.store.set(key, slice);
      this.touched.add(component);
    }
  }

  /**
   * The incident cap spans the partition: while it holds more than maxIncidents, every slice is
   * pruned at `now`, and the oldest closed, then least recently seen incidents go over the cap.
   */
  private capIncidents(now: number): void {
    const max = this.config.maxIncidents;
    if (this.index.size <= max) return;
    const components = [...new Set(this.index.values())];
    for (const c of components) {
      const slice = this.slice(c);
      if (slice) this.put(c, pruneSlice(c, slice, now, this.config));
    }
    if (this.index.size <= max) return;
    const entries: [string, IncidentLadder][] = [];
    for (const c of components)
      for (const [id, inc] of Object.entries(this.slice(c)?.incidents ?? {}))
        entries.push([id, inc]);
    const kept = new Set(keepNewest(entries, max).map(([id]) => id));
    for (const c of components) {
      const slice = this.slice(c);
      if (!slice) continue;
      const incidents = Object.fromEntries(
        Object.entries(slice.incidents).filter(([id]) => kept.has(id)),
      );
      this.put(c, { ...slice, incidents });
    }
  }

  private upgrade(state: EvaluatorState): void {
    this.store.set(PARTITION_KEY, partitionPartOf(state));
    for (const [c, slice] of slicesOf(state, componentsOf(state)))
      if (!sliceIsEmpty(slice)) this.store.set(sliceKey(c), slice);
    this.store.delete(LEGACY_STATE_KEY);
  }
}
