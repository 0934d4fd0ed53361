import {
  createScorer,
  erfc,
  type ScorerOptions,
  type ScorerState,
  type SeriesScorer,
} from '@healstream/anomaly';
import type {
  Anomaly,
  MetricReading,
  MetricSample,
  ReliabilityEvent,
  Severity,
} from '@healstream/contracts';
import { matchesGlob } from '../glob.js';
import { canonicalSample } from '../metrics/aliases.js';
import { compare } from '../policy/match.js';
import type { DetectorConfig } from './config.js';
import {
  emptyDetectorState,
  type ComponentDetectorState,
  type MetricState,
  type UsualLevel,
} from './state.js';
import {
  forecastsOf,
  forecastVerdict,
  isSurplusMetric,
  nextTrend,
  surplusVerdict,
} from './forecast.js';

export type ScorerFactory = (options?: ScorerOptions, state?: ScorerState) => SeriesScorer;

/** Marker metric: a deploy happened at its observedAt. Never scored, never anomalous. */
export const DEPLOY_METRIC = 'deploy';
/** A change of one of these labels between samples counts as a deploy (a new version or image rolled out). */
export const DEPLOY_LABELS = ['version', 'deploy', 'deployment', 'image'] as const;

export interface DetectResult {
  state: ComponentDetectorState;
  events: ReliabilityEvent[];
}

function thresholdAnomaly(
  sample: MetricSample,
  config: DetectorConfig,
): { anomaly: Anomaly; severity: Severity } | null {
  let found: { anomaly: Anomaly; severity: Severity } | null = null;
  for (const rule of config.thresholds) {
    if (rule.metric !== sample.metric) continue;
    if (
      rule.components.length > 0 &&
      !rule.components.some((g) => matchesGlob(g, sample.component))
    )
      continue;
    if (!compare(sample.value, rule.operator, rule.value)) continue;
    if (found && (found.severity === 'CRITICAL' || rule.severity !== 'CRITICAL')) continue;
    found = {
      anomaly: {
        metric: sample.metric,
        value: sample.value,
        baseline: rule.value,
        score: 1,
        detector: 'threshold',
      },
      severity: rule.severity,
    };
  }
  return found;
}

/**
 * The severity of a statistical anomaly from its magnitude: CRITICAL at `criticalDeviation`
 * standard deviations of the series' noise or more, WARNING below (and when the scorer cannot
 * say how far).
 */
export function statisticalSeverityOf(
  deviation: number | undefined,
  config: DetectorConfig,
): Severity {
  return deviation !== undefined && deviation >= config.statistical.criticalDeviation
    ? 'CRITICAL'
    : 'WARNING';
}

function scored(config: DetectorConfig, metric: string): boolean {
  const s = config.statistical;
  // A replica count steps by design (every scale-up): the surplus rule reads it instead.
  if (isSurplusMetric(metric, config)) return false;
  return s.enabled && (s.metrics.length === 0 || s.metrics.includes(metric));
}

/** INFO when every active anomaly is informational (a surplus of replicas), else the worst. */
function severityOf(active: readonly MetricState[]): Severity {
  if (active.some((m) => m.severity === 'CRITICAL')) return 'CRITICAL';
  return active.length > 0 && active.every((m) => m.severity === 'INFO') ? 'INFO' : 'WARNING';
}

/** The latest reading of every metric (stale ones too: consumers judge age from observedAt). */
export function snapshotOf(state: ComponentDetectorState): MetricReading[] {
  return Object.entries(state.metrics).map(([metric, m]) => ({
    metric,
    value: m.value,
    observedAt: m.observedAt,
  }));
}

export function freshAnomalies(
  state: ComponentDetectorState,
  now: number,
  config: DetectorConfig,
): MetricState[] {
  return Object.values(state.metrics).filter(
    (m) => m.anomaly !== null && now - m.observedAt <= config.staleAfterMs,
  );
}

/** Usual levels stay as they were this long after an incident resolves (see lastResolvedAt). */
export const USUAL_FROZEN_AFTER_MS = 10 * 60_000;

/** A shift from the usual level must also be this share of the level itself. */
const MIN_SHIFT_RATIO = 0.1;

/**
 * The detector's name for a metric that moved away from its pre-incident level while an
 * incident is open, though the scorer no longer calls it anomalous (it takes a sustained level
 * as the new normal within about a minute). Listed among the event's anomalies, with the
 * pre-incident level as baseline, so a diagnosis still sees a surge or a collapse minutes in,
 * and a ramp against where it started; it never opens, holds open or re-emits an incident.
 */
export const PRE_INCIDENT_DETECTOR = 'pre-incident';

function shifted(m: MetricState, config: DetectorConfig): boolean {
  const usual = m.usual;
  if (!usual) return false;
  const by = Math.abs(m.value - usual.level);
  return (
    by >= config.statistical.shiftDeviation * usual.spread &&
    by >= MIN_SHIFT_RATIO * Math.abs(usual.level)
  );
}

/**
 * The fresh metrics of an open incident far from their pre-incident level, unless a statistical
 * anomaly (whose baseline is that level already) says so.
 */
export function preIncidentShifts(
  state: ComponentDetectorState,
  now: number,
  config: DetectorConfig,
): Anomaly[] {
  if (!state.incident) return [];
  const out: Anomaly[] = [];
  for (const [metric, m] of Object.entries(state.metrics)) {
    // A threshold anomaly's baseline is its threshold: the pre-incident level is listed beside it.
    const other = m.anomaly !== null && m.anomaly.detector !== 'threshold';
    if (other || now - m.observedAt > config.staleAfterMs || !shifted(m, config)) continue;
    const usual = m.usual as UsualLevel;
    const z = Math.abs(m.value - usual.level) / Math.max(usual.spread, 1e-12);
    out.push({
      metric,
      value: m.value,
      baseline: usual.level,
      score: 1 - erfc(z / Math.SQRT2),
      detector: PRE_INCIDENT_DETECTOR,
    });
  }
  return out;
}

function event(
  state: ComponentDetectorState,
  kind: 'ANOMALY' | 'RESOLVED',
  now: number,
  config: DetectorConfig,
): ReliabilityEvent {
  const incident = state.incident;
  if (!incident) throw new Error('event without an incident');
  incident.events += 1;
  const active = kind === 'ANOMALY' ? freshAnomalies(state, now, config) : [];
  const severity: Severity = kind === 'RESOLVED' ? 'INFO' : severityOf(active);
  return {
    eventId: `${incident.incidentId}#${incident.events}`,
    incidentId: incident.incidentId,
    component: state.component,
    kind,
    severity,
    detectedAt: now,
    snapshot: snapshotOf(state),
    anomalies:
      kind === 'ANOMALY'
        ? [...active.map((m) => m.anomaly as Anomaly), ...preIncidentShifts(state, now, config)]
        : [],
    labels: { ...state.labels },
    forecasts: forecastsOf(state, config),
  };
}

/**
 * The label of an ANOMALY event that says a metric of the open incident went back to normal
 * (value `cleared`, severity INFO): it brings holds up to date; nothing acts on it.
 */
export const EVENT_LABEL = 'healstream.event';
export const CLEARED = 'cleared';

function clearedEvent(e: ReliabilityEvent): ReliabilityEvent {
  return { ...e, severity: 'INFO', labels: { ...e.labels, [EVENT_LABEL]: CLEARED } };
}

export const isClearedEvent = (e: Pick<ReliabilityEvent, 'labels'>) =>
  e.labels[EVENT_LABEL] === CLEARED;

/**
 * An ANOMALY event brought up to date with the component's latest state: the snapshot, the
 * anomalies still fresh at the event's time, the labels and the severity. A scrape publishes
 * all of a component's metrics at once, but the incident opens on the first bad one: the
 * detector service emits its events once the whole batch is in, refreshed, so the diagnosis sees
 * every metric of that scrape. Ids and detectedAt are kept; RESOLVED events are left as they are.
 */
export function refreshEvent(
  event: ReliabilityEvent,
  state: ComponentDetectorState,
  config: DetectorConfig,
): ReliabilityEvent {
  if (event.kind !== 'ANOMALY' || state.incident?.incidentId !== event.incidentId) return event;
  const active = freshAnomalies(state, event.detectedAt, config);
  if (active.length === 0) return event;
  const refreshed: ReliabilityEvent = {
    ...event,
    severity: severityOf(active),
    snapshot: snapshotOf(state),
    anomalies: [
      ...active.map((m) => m.anomaly as Anomaly),
      ...preIncidentShifts(state, event.detectedAt, config),
    ],
    labels: { ...state.labels },
    forecasts: forecastsOf(state, config),
  };
  return isClearedEvent(event) ? clearedEvent(refreshed) : refreshed;
}

/**
 * Feeds one sample of one component into its detector. Time is the sample's timestamp.
 * Returns the new state (the input is not changed) and the events to publish: ANOMALY when an
 * incident opens, again at most every `reemitEveryMs` when an anomalous sample arrives while
 * it stays open (so holds and the ladder can progress), a cleared one (EVENT_LABEL) when
 * one of its metrics goes back to normal (so a hold sees its condition break); RESOLVED
 * after `resolveAfterSamples` consecutive healthy samples.
 */
export function detect(
  previous: ComponentDetectorState | null | undefined,
  input: MetricSample,
  config: DetectorConfig,
  scorerFactory: ScorerFactory = createScorer,
): DetectResult {
  // Samples enter under their canonical name and unit: thresholds, causes and policies read one name.
  const sample = canonicalSample(input, config.aliasTable);
  const prior = previous ?? emptyDetectorState(sample.component);
  const state: ComponentDetectorState = {
    ...prior,
    metrics: { ...prior.metrics },
    labels: { ...prior.labels },
    incident: prior.incident && { ...prior.incident },
  };
  const now = Math.max(sample.timestamp, prior.lastSeenAt);
  state.lastSeenAt = now;

  const deployed =
    sample.metric === DEPLOY_METRIC ||
    DEPLOY_LABELS.some(
      (l) =>
        sample.labels[l] !== undefined &&
        prior.labels[l] !== undefined &&
        sample.labels[l] !== prior.labels[l],
    );
  Object.assign(state.labels, sample.labels);
  if (deployed)
    state.metrics[DEPLOY_METRIC] = {
      value: 1,
      observedAt: sample.timestamp,
      anomaly: null,
      severity: null,
      scorer: null,
    };
  if (sample.metric === DEPLOY_METRIC) return { state, events: [] };

  const known = state.metrics[sample.metric];
  if (!known && Object.keys(state.metrics).length >= config.maxMetrics)
    return { state, events: [] };

  let scorerState: ScorerState | null = known?.scorer ?? null;
  // Followed while no incident is open, frozen while one is: the pre-incident level.
  let usual: UsualLevel | null = known?.usual ?? null;
  let statistical: Anomaly | null = null;
  let statisticalSeverity: Severity = 'WARNING';
  if (scored(config, sample.metric)) {
    const options =
      config.statistical.warmupSamples === undefined
        ? {}
        : { warmupSamples: config.statistical.warmupSamples };
    const scorer = scorerFactory(options, scorerState ?? undefined);
    const result = scorer.update(sample.value, sample.timestamp);
    // The scorer is done: its own state (a copy of the previous one, made when it restored)
    // becomes the new state without a second copy.
    scorerState = scorer.release ? scorer.release() : scorer.state();
    const settled =
      prior.lastResolvedAt === undefined || now - prior.lastResolvedAt >= USUAL_FROZEN_AFTER_MS;
    if (!prior.incident && settled && result.spread !== undefined)
      usual = { level: result.baseline, spread: result.spread };
    if (
      result.warm &&
      result.score >= config.statistical.scoreThreshold &&
      (result.deviation ?? Infinity) >= config.statistical.minDeviation
    ) {
      statistical = {
        metric: sample.metric,
        value: sample.value,
        // Inside an incident, what the metric was before it: the scorer's own level drifts
        // towards the fault within a minute.
        baseline: prior.incident && usual ? usual.level : result.baseline,
        score: result.score,
        detector: 'statistical',
      };
      statisticalSeverity = statisticalSeverityOf(result.deviation, config);
    }
  }
  const threshold = isSurplusMetric(sample.metric, config)
    ? null
    : thresholdAnomaly(sample, config);
  const reading: MetricState = {
    value: sample.value,
    observedAt: sample.timestamp,
    anomaly: threshold?.anomaly ?? statistical,
    severity: threshold?.severity ?? (statistical ? statisticalSeverity : null),
    scorer: scorerState,
    usual,
  };
  const trend = nextTrend(known, sample, config);
  if (trend) {
    // A prediction speaks only while the reading itself is not yet anomalous.
    const forecast = forecastVerdict(trend, known, sample, config);
    Object.assign(reading, { trend, crossingFrom: forecast.crossingFrom });
    if (!reading.anomaly && forecast.anomaly)
      Object.assign(reading, { anomaly: forecast.anomaly, severity: 'WARNING' });
  }
  if (isSurplusMetric(sample.metric, config)) {
    const surplus = surplusVerdict(known, sample);
    reading.normal = surplus.normal;
    if (surplus.anomaly) Object.assign(reading, { anomaly: surplus.anomaly, severity: 'INFO' });
  }
  state.metrics[sample.metric] = reading;

  const anomalous = freshAnomalies(state, now, config).length > 0;
  state.anomalousRun = anomalous ? prior.anomalousRun + 1 : 0;
  state.healthyRun = anomalous ? 0 : prior.healthyRun + 1;

  const events: ReliabilityEvent[] = [];
  if (!state.incident) {
    if (anomalous && state.anomalousRun >= config.openAfterSamples) {
      state.incident = {
        incidentId: `inc-${state.component}-${now}`,
        openedAt: now,
        lastEmittedAt: now,
        events: 0,
      };
      events.push(event(state, 'ANOMALY', now, config));
    }
  } else if (
    state.metrics[sample.metric]?.anomaly &&
    now - state.incident.lastEmittedAt >= config.reemitEveryMs
  ) {
    // Re-emitted only on fresh anomalous evidence, not on an older reading another metric left.
    state.incident.lastEmittedAt = now;
    events.push(event(state, 'ANOMALY', now, config));
  } else if (
    !anomalous &&
    state.healthyRun >= config.resolveAfterSamples &&
    // A silent component is not healthy: a scraper's `up 0` samples never resolve its incident.
    (state.silence?.silentSince ?? null) === null
  ) {
    events.push(event(state, 'RESOLVED', now, config));
    state.incident = null;
    state.lastResolvedAt = now;
  } else if (known?.anomaly && !state.metrics[sample.metric]?.anomaly) {
    // A metric of the open incident is back to normal: told at once, marked as such, so a
    // policy holding for `for:` sees its condition break and starts over (blips never add up
    // to a lasting fault); the evaluator acts on no such event.
    events.push(clearedEvent(event(state, 'ANOMALY', now, config)));
  }
  return { state, events };
}
