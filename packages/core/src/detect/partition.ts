import { clonePlain } from '@healstream/anomaly';
import type { Escalation, MetricSample, ReliabilityEvent } from '@healstream/contracts';
import type { DetectorConfig } from './config.js';
import { detectInPlace, type ScorerFactory } from './detect.js';
import { idleComponents } from './idle.js';
import {
  advanceClock,
  checkDueAt,
  checkSilence,
  checkSkipped,
  emptyPartitionClock,
  isTick,
  noteArrival,
  type PartitionClock,
  type SilenceCheck,
} from './silence.js';
import { emptyDetectorState, type ComponentDetectorState } from './state.js';

/** The partition's clock, kept beside the components in the detector's keyed state. */
export const CLOCK_KEY = '__clock__';
export type DetectorEntry = ComponentDetectorState | PartitionClock;

/** The keyed state of one detector partition (the service's changelog-backed store, or a Map). */
export interface DetectorStore {
  get(key: string): DetectorEntry | undefined;
  set(key: string, value: DetectorEntry): void;
  delete(key: string): void;
  keys(): string[];
  /** Every entry, in the order of `keys()`; without it, `get` of each key. */
  values?(): DetectorEntry[];
  /**
   * The entry, for the caller to change in place before it `set`s it back: a store that keeps
   * a transaction's entries apart (the service's changelog-backed one) hands out its own copy,
   * made once per transaction. A store without it (a Map) gets a copy of the entry every time.
   */
  edit?(key: string): DetectorEntry | undefined;
}

export function componentState(
  store: DetectorStore,
  id: string,
): ComponentDetectorState | undefined {
  const entry = id === CLOCK_KEY ? undefined : store.get(id);
  return entry && 'component' in entry ? entry : undefined;
}

/** The component's state, the caller's to change: `edit`ed, else a copy, else a fresh one. */
function ownedComponent(store: DetectorStore, id: string): ComponentDetectorState {
  const edited = id === CLOCK_KEY ? undefined : store.edit?.(id);
  if (edited && 'component' in edited) return edited;
  const current = componentState(store, id);
  return current ? clonePlain(current) : emptyDetectorState(id);
}

export function partitionClock(store: DetectorStore): PartitionClock {
  const entry = store.get(CLOCK_KEY);
  return entry && 'lastCheck' in entry ? entry : emptyPartitionClock();
}

/** The partition's clock, the caller's to change, as `ownedComponent` is for a component. */
function ownedClock(store: DetectorStore): PartitionClock {
  const edited = store.edit?.(CLOCK_KEY);
  return edited && 'lastCheck' in edited ? edited : { ...partitionClock(store) };
}

export interface DetectStep {
  events: readonly ReliabilityEvent[];
  requests: readonly Escalation[];
  /** The sample's component as the store now holds it (undefined for a tick). */
  component: ComponentDetectorState | undefined;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * One record of a detector partition: the clock moves to its arrival time, the sample (a tick
 * carries none) goes through `detect`, and when the clock crosses a check boundary every
 * component of the partition is checked for silence (and, silence detection on or off, the ones
 * it never heard are forgotten once idle: idle.ts). The same code runs in the service and in
 * `simulate`, so a simulation decides silence exactly as the pipeline does.
 */
export function detectRecord(
  store: DetectorStore,
  sample: MetricSample,
  arrivedAt: number,
  partition: number,
  config: DetectorConfig,
  scorerFactory?: ScorerFactory,
): DetectStep {
  const tick = isTick(sample);
  // Changed in place, as the component is: a record allocates no clock, and the store's
  // committed entries are left alone (an editing store hands out its transaction's own copy).
  const clock = ownedClock(store);
  const crossed = advanceClock(clock, arrivedAt, tick, config.silence);
  store.set(CLOCK_KEY, clock);
  let events: readonly ReliabilityEvent[] = NONE;
  let component: ComponentDetectorState | undefined;
  if (!tick) {
    component = ownedComponent(store, sample.component);
    noteArrival(component, sample, arrivedAt, config.silence);
    events = detectInPlace(component, sample, config, scorerFactory);
    store.set(sample.component, component);
    // The record may bring the component's next due check forward (a shorter learnt interval,
    // an incident opened while it is silent): the bound follows.
    if (clock.quietUntil !== undefined) {
      const due = Math.min(clock.quietUntil, checkDueAt(component, clock, config));
      clock.quietUntil = Number.isFinite(due) ? due : undefined;
    }
  }
  if (!crossed) return { events, requests: NONE, component };
  // Nothing can be due yet: the check would walk every component of the partition and find
  // nothing. Once a check at every second of partition time, most of a 10 s fleet's cost.
  if (config.silence.enabled && checkSkipped(clock)) return { events, requests: NONE, component };
  const now = () => (tick ? undefined : componentState(store, sample.component));
  // Every component of the partition (the clock is the one entry without a component).
  const entries = store.values ? store.values() : store.keys().map((k) => store.get(k));
  const components: ComponentDetectorState[] = [];
  for (const entry of entries) if (entry && 'component' in entry) components.push(entry);
  const idle = idleComponents(components, config.silence.forgetAfterMs);
  for (const id of idle) store.delete(id);
  if (!config.silence.enabled) return { events, requests: NONE, component: now() };
  const check = checkSilence(components, clock, partition, config);
  store.set(CLOCK_KEY, check.clock);
  // A changed state shares its parts with the one it was made from, which may be a committed
  // value of an editing store: its own copy, so that later edits leave the committed one alone.
  for (const changed of check.changed)
    store.set(changed.component, store.edit ? clonePlain(changed) : changed);
  for (const forgotten of check.forgotten) store.delete(forgotten);
  check.clock.quietUntil = nextCheckDue(components, idle, check, config);
  return { events: [...events, ...check.events], requests: check.requests, component: now() };
}

/** The earliest `checkDueAt` of the partition's components after the check (undefined: none can be told). */
function nextCheckDue(
  components: readonly ComponentDetectorState[],
  idle: readonly string[],
  check: SilenceCheck,
  config: DetectorConfig,
): number | undefined {
  const changed = new Map(check.changed.map((c) => [c.component, c]));
  const forgotten = new Set([...idle, ...check.forgotten]);
  let due = Infinity;
  for (const c of components) {
    if (forgotten.has(c.component)) continue;
    due = Math.min(due, checkDueAt(changed.get(c.component) ?? c, check.clock, config));
  }
  // Unbounded either way (nobody to check, or one the check cannot bound): the next check looks.
  return Number.isFinite(due) ? due : undefined;
}

/**
 * Forgets a just-restored partition's check bound (`quietUntil`), so that its next check looks
 * at every component: the bound was computed under the silence settings of the process that
 * wrote it. `load` replaces the restored entry itself, outside any transaction (an abort of
 * the first one must not bring the old bound back).
 */
export function forgetCheckBound(store: {
  get(key: string): DetectorEntry | undefined;
  load(key: string, value: DetectorEntry): void;
}): void {
  const clock = store.get(CLOCK_KEY);
  if (clock && 'lastCheck' in clock && clock.quietUntil !== undefined) {
    const { quietUntil: _, ...rest } = clock;
    store.load(CLOCK_KEY, rest);
  }
}
