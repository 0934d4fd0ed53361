import { clonePlain } from '@healstream/anomaly';
import type { Escalation, MetricSample, ReliabilityEvent } from '@healstream/contracts';
import type { DetectorConfig } from './config.js';
import { detectInPlace, type ScorerFactory } from './detect.js';
import { idleComponents } from './idle.js';
import {
  advanceClock,
  checkSilence,
  emptyPartitionClock,
  isTick,
  noteArrival,
  type PartitionClock,
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
  }
  if (!crossed) return { events, requests: NONE, component };
  const now = () => (tick ? undefined : componentState(store, sample.component));
  // Every component of the partition, at every check (each second of partition time).
  const components: ComponentDetectorState[] = [];
  if (store.values) {
    for (const entry of store.values()) if ('component' in entry) components.push(entry);
  } else {
    for (const k of store.keys()) {
      const c = componentState(store, k);
      if (c) components.push(c);
    }
  }
  for (const idle of idleComponents(components, config.silence.forgetAfterMs)) store.delete(idle);
  if (!config.silence.enabled) return { events, requests: NONE, component: now() };
  const check = checkSilence(components, clock, partition, config);
  store.set(CLOCK_KEY, check.clock);
  // A changed state shares its parts with the one it was made from, which may be a committed
  // value of an editing store: its own copy, so that later edits leave the committed one alone.
  for (const changed of check.changed)
    store.set(changed.component, store.edit ? clonePlain(changed) : changed);
  for (const forgotten of check.forgotten) store.delete(forgotten);
  return { events: [...events, ...check.events], requests: check.requests, component: now() };
}
