import {
  emptyHoltState,
  holtCrossing,
  holtForecast,
  holtUpdate,
  type ForecastPoint,
  type HoltOptions,
  type HoltState,
} from '@healstream/anomaly';
import type { Anomaly, Forecast, MetricSample } from '@healstream/contracts';
import { matchesGlob } from '../glob.js';
import type { DetectorConfig } from './config.js';
import type { ForecastConfig } from './forecast-config.js';
import type { ComponentDetectorState, MetricState } from './state.js';

/** The detector label of an anomaly that is a prediction, not a reading past a threshold. */
export const FORECAST_DETECTOR = 'forecast';
/** The detector label of a component running more replicas than its normal size. */
export const SURPLUS_DETECTOR = 'surplus';

export function holtOptionsOf(f: ForecastConfig): HoltOptions {
  return {
    stepMs: f.stepSeconds * 1000,
    alpha: f.alpha,
    beta: f.beta,
    z: f.z,
    warmupSteps: f.warmupSteps,
  };
}

const modelled = (config: DetectorConfig, metric: string) =>
  config.forecast.enabled && config.forecast.metrics.includes(metric);

/** The metric's trend model after this sample, or null for a metric not modelled. */
export function nextTrend(
  known: MetricState | undefined,
  sample: MetricSample,
  config: DetectorConfig,
): HoltState | null {
  if (!modelled(config, sample.metric)) return null;
  return holtUpdate(
    known?.trend ?? emptyHoltState(),
    sample.value,
    sample.timestamp,
    holtOptionsOf(config.forecast),
  );
}

export interface ForecastVerdict {
  anomaly: Anomaly | null;
  /** The model step at which the current run of predicted crossings began, or null. */
  crossingFrom: number | null;
}

/**
 * Whether the trend predicts, with the cautious side of its band, that one of the metric's
 * threshold rules will be crossed within the alert horizon, on `confirmSteps` model steps in a
 * row. A flat series has no trend and a band that covers its jitter: it never gets here.
 */
export function forecastVerdict(
  trend: HoltState | null,
  known: MetricState | undefined,
  sample: MetricSample,
  config: DetectorConfig,
): ForecastVerdict {
  const f = config.forecast;
  if (!trend || f.alertHorizonSeconds === 0) return { anomaly: null, crossingFrom: null };
  const options = holtOptionsOf(f);
  let first: { at: number; threshold: number } | null = null;
  for (const rule of config.thresholds) {
    if (rule.metric !== sample.metric || rule.operator === 'eq' || rule.operator === 'ne') continue;
    if (
      rule.components.length > 0 &&
      !rule.components.some((g) => matchesGlob(g, sample.component))
    )
      continue;
    const direction = rule.operator === 'gt' || rule.operator === 'gte' ? 'above' : 'below';
    const inclusive = rule.operator === 'gte' || rule.operator === 'lte';
    const at = holtCrossing(
      trend,
      direction,
      rule.value,
      f.alertHorizonSeconds * 1000,
      inclusive,
      options,
    );
    if (at !== null && (first === null || at < first.at)) first = { at, threshold: rule.value };
  }
  if (!first) return { anomaly: null, crossingFrom: null };
  const crossingFrom = known?.crossingFrom ?? trend.steps;
  if (trend.steps - crossingFrom + 1 < f.confirmSteps) return { anomaly: null, crossingFrom };
  const horizonMs = f.alertHorizonSeconds * 1000;
  return {
    crossingFrom,
    anomaly: {
      metric: sample.metric,
      value: sample.value,
      baseline: first.threshold,
      // Sooner is surer and more urgent.
      score: Math.max(0.05, Math.min(1, 1 - first.at / horizonMs + options.stepMs / horizonMs)),
      detector: FORECAST_DETECTOR,
    },
  };
}

/** One metric's forecast `horizonMs` ahead, or null when it has no warm model. */
export function metricForecast(
  m: MetricState | undefined,
  horizonMs: number,
  config: DetectorConfig,
): ForecastPoint | null {
  return m?.trend ? holtForecast(m.trend, horizonMs, holtOptionsOf(config.forecast)) : null;
}

/** The forecasts an event carries: every warm model at every configured horizon. */
export function forecastsOf(state: ComponentDetectorState, config: DetectorConfig): Forecast[] {
  if (!config.forecast.enabled) return [];
  const options = holtOptionsOf(config.forecast);
  const out: Forecast[] = [];
  for (const [metric, m] of Object.entries(state.metrics)) {
    if (!m.trend) continue;
    for (const horizonSeconds of config.forecast.horizonsSeconds) {
      const point = holtForecast(m.trend, horizonSeconds * 1000, options);
      if (point) out.push({ metric, horizonSeconds, ...point });
    }
  }
  return out;
}

/** Whether the sample is the replica count the surplus rule watches (never scored, no threshold). */
export const isSurplusMetric = (metric: string, config: DetectorConfig) =>
  config.surplus.enabled && metric === config.surplus.metric;

/**
 * Replicas above the lowest count the component has reported: the normal size a scale-up
 * added to. Returns the new normal and the anomaly while above it.
 */
export function surplusVerdict(
  known: MetricState | undefined,
  sample: MetricSample,
): { normal: number; anomaly: Anomaly | null } {
  const normal = Math.min(known?.normal ?? sample.value, sample.value);
  if (sample.value <= normal) return { normal, anomaly: null };
  return {
    normal,
    anomaly: {
      metric: sample.metric,
      value: sample.value,
      baseline: normal,
      score: 1,
      detector: SURPLUS_DETECTOR,
    },
  };
}
