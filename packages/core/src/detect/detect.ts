import {
  createScorer,
  type ScorerOptions,
  type ScorerState,
  type SeriesScorer,
} from '@healstream/anomaly';
import type { Anomaly, MetricSample, ReliabilityEvent, Severity } from '@healstream/contracts';
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
import { clearedEvent, event, freshAnomalies } from './events.js';
import { forecastVerdict, isSurplusMetric, nextTrend, surplusVerdict } from './forecast.js';

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

/** Usual levels stay as they were this long after an incident resolves (see lastResolvedAt). */
export const USUAL_FROZEN_AFTER_MS = 10 * 60_000;

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
