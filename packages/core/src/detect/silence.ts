import type { Escalation, MetricSample, ReliabilityEvent } from '@healstream/contracts';
import { escalationIdFor } from '../decide/ids.js';
import type { DetectorConfig } from './config.js';
import { snapshotOf } from './events.js';
import type { SilenceConfig } from './silence-config.js';
import type { ComponentDetectorState } from './state.js';

/**
 * Silence as a signal (docs/healing-over-time.md). A crashed component sends nothing, and
 * nothing never matches a policy; so the detector keeps, per partition, a clock made of the
 * record timestamps of the partition's stream (the time of arrival the broker keeps with each
 * record), and at every `checkEveryMs` of that clock looks for components it has not heard from
 * for `afterIntervals` of their sample interval. Everything is decided from the records alone,
 * in their partition order: a replay of the topic decides the same way.
 *
 * A partition with no traffic at all has no clock: the detector service appends a tick record
 * (`TICK_COMPONENT`) to each quiet partition it owns, stamped on arrival like any record, so
 * time moves on there too and the ticks are part of the replayable stream.
 */

/** The component id (and key) of the detector's tick records on the metrics topic. */
export const TICK_COMPONENT = '__tick__';
export const TICK_METRIC = 'healstream.tick';
/** The component of fleet-wide pages (the same key as the evaluator's storm breaker). */
export const FLEET_COMPONENT = '__fleet__';
export const FLEET_SILENT_DEDUP_KEY = 'healstream/fleet-silent';
/** Labels of a SILENT event, read by the crash-silence rule. */
export const SILENT_FOR_LABEL = 'healstream.silent_ms';
export const INTERVAL_LABEL = 'healstream.expected_interval_ms';
/** Arrivals closer than this are one batch (one scrape sent sample by sample), not a gap. */
const MIN_GAP_MS = 100;
const MAX_GAPS = 9;

export const isTick = (sample: Pick<MetricSample, 'component'>) =>
  sample.component === TICK_COMPONENT;

/** What the partition's stream says about time: kept in the detector's changelog. */
export interface PartitionClock {
  /** The latest record timestamp seen on the partition, ticks included. */
  clock: number;
  /** The latest record timestamp of anything but a tick: when the partition last heard anyone. */
  lastRecordAt: number;
  /** `floor(clock / checkEveryMs)` of the latest check. */
  lastCheck: number;
  /** Since when the whole partition is silent (a fleet silence was reported); null if not. */
  fleetSince: number | null;
  /**
   * When the partition was heard again after a fleet silence: every component counts as heard
   * then, so those a returning producer sends a moment after the first are not found silent.
   */
  resumedAt?: number;
  /**
   * Partition time before which no check can find anything to do (`checkDueAt` of every
   * component, lowered by each record since): checks before it are skipped. Absent: unknown,
   * the next check looks at every component. Cleared when a partition is restored, since the
   * silence settings may have changed since it was written (forgetCheckBound).
   */
  quietUntil?: number;
}

export const emptyPartitionClock = (): PartitionClock => ({
  clock: 0,
  lastRecordAt: 0,
  lastCheck: 0,
  fleetSince: null,
});

/**
 * Moves the partition's clock with one record, in place (the caller owns `clock`): whether it
 * crossed a check boundary. A silence check is due when it did and silence detection is on;
 * crossing also drives the idle check (idle.ts), which runs with silence detection off too.
 */
export function advanceClock(
  clock: PartitionClock,
  arrivedAt: number,
  tick: boolean,
  config: SilenceConfig,
): boolean {
  clock.clock = Math.max(clock.clock, arrivedAt);
  if (!tick) clock.lastRecordAt = Math.max(clock.lastRecordAt, arrivedAt);
  const slot = Math.floor(clock.clock / config.checkEveryMs);
  if (slot <= clock.lastCheck) return false;
  clock.lastCheck = slot;
  return true;
}

/** Whether a sample is the component speaking (not a scraper saying it got no answer). */
export function heardFrom(sample: Pick<MetricSample, 'metric' | 'value'>, config: SilenceConfig) {
  if (sample.metric === 'up') return sample.value > 0;
  return !config.agentMetrics.includes(sample.metric);
}

/**
 * Notes one sample's arrival in the component's state, before `detect` sees it. Hearing from a
 * silent component ends its silence: its incident may then resolve through detect's usual
 * hysteresis (`resolveAfterSamples` healthy samples), which a silent component never reaches.
 * The state is changed in place: the caller owns it (detectRecord).
 */
export function noteArrival(
  state: ComponentDetectorState,
  sample: MetricSample,
  arrivedAt: number,
  config: SilenceConfig,
): void {
  if (!config.enabled || !heardFrom(sample, config)) return;
  const prior = state.silence;
  if (!prior) {
    state.silence = { heardAt: Math.max(0, arrivedAt), gaps: [], silentSince: null };
    return;
  }
  const gap = arrivedAt - prior.heardAt;
  // A silence is no sample interval: it would teach the detector to wait longer next time.
  if (prior.silentSince === null && gap >= MIN_GAP_MS) {
    prior.gaps.push(gap);
    while (prior.gaps.length > MAX_GAPS) prior.gaps.shift();
  }
  prior.heardAt = Math.max(prior.heardAt, arrivedAt);
  if (prior.silentSince != null) {
    state.healthyRun = 0;
    state.anomalousRun = 0;
  }
  prior.silentSince = null;
}

/** The sorted copy `median` works in, reused: a check visits every component of its partition. */
const sortedGaps: number[] = [];

/**
 * The median of a few numbers (a component's last `MAX_GAPS` gaps), sorted by insertion into
 * one array for the process: every silence check computes it for every component of the
 * partition, and a copy and a `sort` each time were most of the check's cost.
 */
function median(values: readonly number[]): number {
  const n = values.length;
  const sorted = sortedGaps;
  sorted.length = n;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    let j = i - 1;
    for (; j >= 0 && (sorted[j] as number) > v; j--) sorted[j + 1] = sorted[j] as number;
    sorted[j + 1] = v;
  }
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * The configured intervals as a Map, made once per config: a component id read off the wire is
 * a string V8 would look up in its string table to index an object by it, at every check for
 * every component of the partition; a Map hashes it once.
 */
const intervalsCache = new WeakMap<SilenceConfig['intervals'], ReadonlyMap<string, number>>();
function configuredIntervals(config: SilenceConfig): ReadonlyMap<string, number> {
  let intervals = intervalsCache.get(config.intervals);
  if (!intervals) {
    intervals = new Map(Object.entries(config.intervals));
    intervalsCache.set(config.intervals, intervals);
  }
  return intervals;
}

/** The component's expected sample interval: configured, else learnt, else unknown (null). */
export function expectedInterval(
  state: ComponentDetectorState,
  config: SilenceConfig,
): number | null {
  const configured = configuredIntervals(config).get(state.component);
  if (configured !== undefined) return configured;
  const gaps = state.silence?.gaps ?? [];
  return gaps.length >= config.learnFrom ? median(gaps) : null;
}

/** How long the component may stay unheard before it is silent. */
export function silenceThreshold(state: ComponentDetectorState, config: SilenceConfig): number {
  const interval = expectedInterval(state, config);
  return Math.max(config.minSilenceMs, interval === null ? 0 : interval * config.afterIntervals);
}

/**
 * The earliest partition time at which a silence check could do anything about this component:
 * forget it, find it silent, or say again that it still is (checkSilence's conditions, each
 * read as a time). -Infinity for a component never heard from: the idle check (idle.ts) may
 * drop it at any check, by sample time. A bound, not a promise: a check at or after it may
 * still find nothing.
 */
export function checkDueAt(
  state: ComponentDetectorState,
  clock: PartitionClock,
  config: DetectorConfig,
): number {
  const heard = state.silence;
  if (!heard) return -Infinity;
  const forget = heard.heardAt + config.silence.forgetAfterMs;
  if (heard.silentSince === null) {
    const silentFrom = Math.max(heard.heardAt, clock.resumedAt ?? 0);
    return Math.min(forget, silentFrom + silenceThreshold(state, config.silence));
  }
  const incident = state.incident;
  return incident ? Math.min(forget, incident.lastEmittedAt + config.reemitEveryMs) : forget;
}

/**
 * Whether the check at the clock's time can be skipped: nothing is due before `quietUntil`
 * and no fleet silence waits to be resolved. One millisecond early, so that rounding never
 * skips the check a component was due at.
 */
export function checkSkipped(clock: PartitionClock): boolean {
  return (
    clock.fleetSince === null &&
    clock.quietUntil !== undefined &&
    clock.clock + 1 < clock.quietUntil
  );
}

export interface SilenceCheck {
  clock: PartitionClock;
  /** Component states changed by the check (to write back). */
  changed: ComponentDetectorState[];
  /** Components silent longer than `forgetAfterMs`: their state is to be deleted. */
  forgotten: string[];
  events: ReliabilityEvent[];
  /** FLEET_SILENT pages to ask for (or to resolve). */
  requests: Escalation[];
}

function silentEvent(
  state: ComponentDetectorState,
  now: number,
  silentMs: number,
  config: SilenceConfig,
): ReliabilityEvent {
  const incident = state.incident;
  if (!incident) throw new Error('silent event without an incident');
  incident.events += 1;
  incident.lastEmittedAt = now;
  const interval = expectedInterval(state, config);
  return {
    eventId: `${incident.incidentId}#${incident.events}`,
    incidentId: incident.incidentId,
    component: state.component,
    kind: 'SILENT',
    severity: 'CRITICAL',
    detectedAt: now,
    snapshot: snapshotOf(state),
    anomalies: [
      {
        metric: 'silence',
        value: silentMs / 1000,
        baseline: (interval ?? config.minSilenceMs) / 1000,
        score: 1,
        detector: 'silence',
      },
    ],
    // A silent component has no fresh readings to forecast from.
    forecasts: [],
    labels: {
      ...state.labels,
      [SILENT_FOR_LABEL]: String(silentMs),
      ...(interval === null ? {} : { [INTERVAL_LABEL]: String(Math.round(interval)) }),
    },
  };
}

function fleetRequest(
  partition: number,
  clock: PartitionClock,
  silent: readonly ComponentDetectorState[],
  status: 'TRIGGERED' | 'RESOLVED',
): Escalation {
  const since = clock.fleetSince ?? clock.clock;
  const quietS = Math.round((clock.clock - clock.lastRecordAt) / 1000);
  return {
    escalationId: escalationIdFor('fleet-silent', partition, since, status),
    source: 'FLEET_SILENT',
    incidentId: null,
    component: FLEET_COMPONENT,
    severity: status === 'TRIGGERED' ? 'CRITICAL' : 'INFO',
    summary:
      status === 'TRIGGERED'
        ? `no metrics from any of the ${silent.length} component(s) on partition ${partition} for ${quietS} s: the producer (agent) feeding them has probably stopped, so nothing is restarted`
        : `metrics arrive again on partition ${partition}`,
    details: silent
      .map((s) => `${s.component}: last heard ${new Date(s.silence?.heardAt ?? 0).toISOString()}`)
      .join('\n'),
    actionsTried: [],
    channel: '',
    // Every partition of a fleet silence asks under this one key on one escalator partition,
    // so the escalator pages once for the fleet, not once per partition.
    dedupKey: FLEET_SILENT_DEDUP_KEY,
    status,
    createdAt: clock.clock,
    links: [],
  };
}

/**
 * The check at the partition's clock. A component unheard for its threshold while the
 * partition still hears others (or the scraper saying it got no answer) is a crash: its
 * incident opens (or its open incident goes on) with a SILENT event, repeated every
 * `reemitEveryMs` while it lasts, so the ladder can move from restart to page. A partition that
 * heard nobody at all for that long cannot tell a dead producer from dead components: it
 * restarts nothing and asks once for a FLEET_SILENT page, which every partition asks under one
 * dedup key, and resolves it when records arrive again.
 */
export function checkSilence(
  components: readonly ComponentDetectorState[],
  previous: PartitionClock,
  partition: number,
  config: DetectorConfig,
): SilenceCheck {
  const silence = config.silence;
  const clock = { ...previous };
  const now = clock.clock;
  const result: SilenceCheck = { clock, changed: [], forgotten: [], events: [], requests: [] };
  const partitionQuietMs = now - clock.lastRecordAt;

  if (clock.fleetSince !== null && clock.lastRecordAt > clock.fleetSince) {
    result.requests.push(fleetRequest(partition, clock, [], 'RESOLVED'));
    clock.fleetSince = null;
    clock.resumedAt = clock.lastRecordAt;
  }
  const fleetSilent: ComponentDetectorState[] = [];
  for (const previousState of components) {
    const heard = previousState.silence;
    if (!heard) continue;
    const silentMs = now - Math.max(heard.heardAt, clock.resumedAt ?? 0);
    if (now - heard.heardAt >= silence.forgetAfterMs) {
      result.forgotten.push(previousState.component);
      continue;
    }
    // Most components were heard within the floor, which no threshold is below: no interval
    // (a median of their gaps) to learn for them.
    if (silentMs < silence.minSilenceMs) continue;
    const threshold = silenceThreshold(previousState, silence);
    if (silentMs < threshold) continue;
    if (partitionQuietMs >= threshold && heard.silentSince === null) {
      fleetSilent.push(previousState);
      continue;
    }
    // Nobody else spoke in the last two checks either: the producers may be dying one after
    // another (an agent and a second publisher stopped a second apart). Unless the scraper said
    // this one is down (`up` 0), wait until the partition hears someone (then this one alone is
    // silent) or is quiet long enough to be a fleet silence, rather than restart what may only
    // have lost its producer.
    const reportedDown = previousState.metrics['up']?.value === 0;
    if (heard.silentSince === null && !reportedDown && partitionQuietMs >= 2 * silence.checkEveryMs)
      continue;
    const state: ComponentDetectorState = {
      ...previousState,
      incident: previousState.incident && { ...previousState.incident },
      silence: { ...heard, silentSince: heard.silentSince ?? now },
    };
    if (heard.silentSince === null) {
      state.healthyRun = 0;
      state.anomalousRun = 0;
      state.incident ??= {
        incidentId: `inc-${state.component}-${now}`,
        openedAt: now,
        lastEmittedAt: now,
        events: 0,
      };
    } else if (!state.incident || now - state.incident.lastEmittedAt < config.reemitEveryMs) {
      continue;
    }
    result.events.push(silentEvent(state, now, silentMs, silence));
    result.changed.push(state);
  }
  if (fleetSilent.length > 0 && clock.fleetSince === null) {
    clock.fleetSince = now;
    result.requests.push(fleetRequest(partition, clock, fleetSilent, 'TRIGGERED'));
  }
  return result;
}
