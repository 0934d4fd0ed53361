import {
  clonePlain,
  createScorer,
  scoreInto,
  type ScorerOptions,
  type ScorerState,
  type SeriesScore,
  type SeriesScorer,
} from '@healstream/anomaly';
import type { Anomaly, MetricSample, ReliabilityEvent, Severity } from '@healstream/contracts';
import { matchesGlob } from '../glob.js';
import { isEmptyRecord } from '../records.js';
import { canonicalSample } from '../metrics/aliases.js';
import { compare } from '../policy/match.js';
import type { DetectorConfig } from './config.js';
import {
  emptyDetectorState,
  type ComponentDetectorState,
  type MetricState,
  type UsualLevel,
} from './state.js';
import { clearedEvent, event, hasFreshAnomaly } from './events.js';
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

type ThresholdRule = DetectorConfig['thresholds'][number];
const NO_RULES: readonly ThresholdRule[] = Object.freeze([]);

/** The threshold rules by metric, made once per rule list: a sample reads only its metric's. */
const rulesByMetricCache = new WeakMap<
  readonly ThresholdRule[],
  ReadonlyMap<string, ThresholdRule[]>
>();
function rulesFor(config: DetectorConfig, metric: string): readonly ThresholdRule[] {
  let byMetric = rulesByMetricCache.get(config.thresholds);
  if (!byMetric) {
    const built = new Map<string, ThresholdRule[]>();
    for (const rule of config.thresholds) {
      const rules = built.get(rule.metric);
      if (rules) rules.push(rule);
      else built.set(rule.metric, [rule]);
    }
    rulesByMetricCache.set(config.thresholds, built);
    byMetric = built;
  }
  return byMetric.get(metric) ?? NO_RULES;
}

function thresholdAnomaly(
  sample: MetricSample,
  config: DetectorConfig,
): { anomaly: Anomaly; severity: Severity } | null {
  let found: { anomaly: Anomaly; severity: Severity } | null = null;
  // In the configured order, as a scan of every rule would meet them.
  for (const rule of rulesFor(config, sample.metric)) {
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

/** The scorer's options for the config, made once: a sample allocates none. */
const scorerOptionsCache = new WeakMap<DetectorConfig, ScorerOptions>();
function scorerOptions(config: DetectorConfig): ScorerOptions {
  let options = scorerOptionsCache.get(config);
  if (!options) {
    const warmup = config.statistical.warmupSamples;
    options = warmup === undefined ? { inPlace: true } : { warmupSamples: warmup, inPlace: true };
    scorerOptionsCache.set(config, options);
  }
  return options;
}

/** The built-in scorer's result for the sample being detected, overwritten by the next. */
const scoredSample: SeriesScore = { score: 0, baseline: 0, warm: false };

const DEPLOY_LABEL_SET: ReadonlySet<string> = new Set(DEPLOY_LABELS);

function deployedBy(sample: MetricSample, labels: Record<string, string>): boolean {
  if (sample.metric === DEPLOY_METRIC) return true;
  // The sample's own labels, usually none or a few, rather than a lookup of every deploy label
  // in both label sets: a sample without labels costs no lookup at all.
  for (const l in sample.labels) {
    if (!DEPLOY_LABEL_SET.has(l)) continue;
    const now = sample.labels[l];
    const before = labels[l];
    if (now !== undefined && before !== undefined && now !== before) return true;
  }
  return false;
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
  const state = previous ? clonePlain(previous) : emptyDetectorState(input.component);
  return { state, events: [...detectInPlace(state, input, config, scorerFactory)] };
}

/**
 * `detect` on a state the caller owns: the state itself becomes the new state (the scorer's
 * too), so a sample copies no state. The detector service keeps its components' states mutable
 * this way, each copied at most once per transaction (changelog-store.ts). Returns the events.
 */
export function detectInPlace(
  state: ComponentDetectorState,
  input: MetricSample,
  config: DetectorConfig,
  scorerFactory: ScorerFactory = createScorer,
): readonly ReliabilityEvent[] {
  // Samples enter under their canonical name and unit: thresholds, causes and policies read one name.
  const sample = canonicalSample(input, config.aliasTable);
  // What the state was before this sample, where the rules below read it.
  const hadIncident = state.incident !== null;
  const resolvedAt = state.lastResolvedAt;
  const now = Math.max(sample.timestamp, state.lastSeenAt);
  state.lastSeenAt = now;

  const deployed = deployedBy(sample, state.labels);
  // A sample without labels (most of them) leaves the component's labels unread: at 10,000
  // components that object is one more cache miss a sample would pay for nothing.
  if (!isEmptyRecord(sample.labels)) Object.assign(state.labels, sample.labels);
  if (deployed)
    state.metrics[DEPLOY_METRIC] = {
      value: 1,
      observedAt: sample.timestamp,
      anomaly: null,
      severity: null,
      scorer: null,
    };
  if (sample.metric === DEPLOY_METRIC) return [];

  const known = state.metrics[sample.metric];
  if (!known && metricCount(state) >= config.maxMetrics) return [];
  const wasAnomalous = known?.anomaly ?? null;

  let scorerState: ScorerState | null = known?.scorer ?? null;
  // Followed while no incident is open, frozen while one is: the pre-incident level.
  let usual: UsualLevel | null = known?.usual ?? null;
  let statistical: Anomaly | null = null;
  let statisticalSeverity: Severity = 'WARNING';
  if (scored(config, sample.metric)) {
    let result: SeriesScore;
    if (scorerFactory === createScorer) {
      // The built-in scorer scores in place into one result for the process: no scorer, no
      // result object, no state copy per sample.
      scorerState = scoreInto(
        scorerOptions(config),
        scorerState ?? undefined,
        sample.value,
        sample.timestamp,
        scoredSample,
      );
      result = scoredSample;
    } else {
      const scorer = scorerFactory(scorerOptions(config), scorerState ?? undefined);
      result = scorer.update(sample.value, sample.timestamp);
      // The scorer is done: its own state (the previous one, updated in place) becomes the new
      // state without a copy.
      scorerState = scorer.release ? scorer.release() : scorer.state();
    }
    const settled = resolvedAt === undefined || now - resolvedAt >= USUAL_FROZEN_AFTER_MS;
    // A usual level is the warm scorer's: before its warm-up a first sample (an outlier, say)
    // would be the level every later event measures against, frozen by any incident it opens.
    if (!hadIncident && settled && result.warm && result.spread !== undefined) {
      if (usual && known?.usual === usual) {
        usual.level = result.baseline;
        usual.spread = result.spread;
      } else usual = { level: result.baseline, spread: result.spread };
    }
    // The score before the scorer's one-alarm gate: a ramp's first unusual sample is often
    // still inside minDeviation, and the gated score is 0 for the rest of the ramp after it;
    // the gate is for alarms counted once (NAB), an incident lasts as long as its evidence.
    const score = result.ungated ?? result.score;
    if (
      result.warm &&
      score >= config.statistical.scoreThreshold &&
      (result.deviation ?? Infinity) >= config.statistical.minDeviation
    ) {
      statistical = {
        metric: sample.metric,
        value: sample.value,
        // Inside an incident, what the metric was before it: the scorer's own level drifts
        // towards the fault within a minute.
        baseline: hadIncident && usual ? usual.level : result.baseline,
        score,
        detector: 'statistical',
      };
      statisticalSeverity = statisticalSeverityOf(result.deviation, config);
    }
  }
  const threshold = isSurplusMetric(sample.metric, config)
    ? null
    : thresholdAnomaly(sample, config);
  let anomaly = threshold?.anomaly ?? statistical;
  let severity = threshold?.severity ?? (statistical ? statisticalSeverity : null);
  const trend = nextTrend(known, sample, config);
  let crossingFrom: number | null | undefined;
  if (trend) {
    // A prediction speaks only while the reading itself is not yet anomalous.
    const forecast = forecastVerdict(trend, known, sample, config);
    crossingFrom = forecast.crossingFrom;
    if (!anomaly && forecast.anomaly) {
      anomaly = forecast.anomaly;
      severity = 'WARNING';
    }
  }
  let normal: number | undefined;
  if (isSurplusMetric(sample.metric, config)) {
    const surplus = surplusVerdict(known, sample);
    normal = surplus.normal;
    if (surplus.anomaly) {
      anomaly = surplus.anomaly;
      severity = 'INFO';
    }
  }
  const reading: MetricState = known ?? {
    value: 0,
    observedAt: 0,
    anomaly: null,
    severity: null,
    scorer: null,
  };
  reading.value = sample.value;
  reading.observedAt = sample.timestamp;
  reading.anomaly = anomaly;
  reading.severity = severity;
  reading.scorer = scorerState;
  reading.usual = usual;
  // Fields a reading of another kind had are cleared (undefined is left out of the changelog).
  if (trend || reading.trend !== undefined) reading.trend = trend ?? undefined;
  if (trend || reading.crossingFrom !== undefined) reading.crossingFrom = crossingFrom;
  if (normal !== undefined || reading.normal !== undefined) reading.normal = normal;
  if (!known) state.metrics[sample.metric] = reading;

  const anomalous = hasFreshAnomaly(state, now, config);
  state.anomalousRun = anomalous ? state.anomalousRun + 1 : 0;
  state.healthyRun = anomalous ? 0 : state.healthyRun + 1;

  if (!state.incident) {
    if (anomalous && state.anomalousRun >= config.openAfterSamples) {
      state.incident = {
        incidentId: `inc-${state.component}-${now}`,
        openedAt: now,
        lastEmittedAt: now,
        events: 0,
      };
      return [event(state, 'ANOMALY', now, config)];
    }
  } else if (reading.anomaly && now - state.incident.lastEmittedAt >= config.reemitEveryMs) {
    // Re-emitted only on fresh anomalous evidence, not on an older reading another metric left.
    state.incident.lastEmittedAt = now;
    return [event(state, 'ANOMALY', now, config)];
  } else if (
    !anomalous &&
    state.healthyRun >= config.resolveAfterSamples &&
    // A silent component is not healthy: a scraper's `up 0` samples never resolve its incident.
    (state.silence?.silentSince ?? null) === null
  ) {
    const resolved = event(state, 'RESOLVED', now, config);
    state.incident = null;
    state.lastResolvedAt = now;
    return [resolved];
  } else if (wasAnomalous && !reading.anomaly) {
    // A metric of the open incident is back to normal: told at once, marked as such, so a
    // policy holding for `for:` sees its condition break and starts over (blips never add up
    // to a lasting fault); the evaluator acts on no such event.
    return [clearedEvent(event(state, 'ANOMALY', now, config))];
  }
  return NO_EVENTS;
}

/** Shared by every sample without events, so it allocates none. */
const NO_EVENTS: readonly ReliabilityEvent[] = Object.freeze([]);

function metricCount(state: ComponentDetectorState): number {
  let n = 0;
  for (const _ in state.metrics) n++;
  return n;
}
