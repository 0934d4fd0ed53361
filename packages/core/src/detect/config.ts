import { z } from 'zod';
import { metricAliases, metricAliasesSchema, type MetricAliasTable } from '../metrics/aliases.js';
import { OPERATORS } from '../policy/types.js';
import {
  DEFAULT_FORECAST_CONFIG,
  DEFAULT_SURPLUS_CONFIG,
  forecastConfigSchema,
  surplusConfigSchema,
} from './forecast-config.js';

/** See `statistical.minDeviation`. */
export const MIN_DEVIATION = 5;
import { DEFAULT_SILENCE, silenceConfigSchema } from './silence-config.js';

export const thresholdSchema = z.strictObject({
  metric: z.string().min(1),
  operator: z.enum(OPERATORS),
  value: z.number(),
  severity: z.enum(['WARNING', 'CRITICAL']).default('WARNING'),
  /** Exact ids or globs; empty for every component. */
  components: z.array(z.string()).default([]),
});

export const detectorConfigSchema = z.strictObject({
  thresholds: z.array(thresholdSchema).default([]),
  statistical: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** A warm scorer's score at or above this marks the metric anomalous. */
      scoreThreshold: z.number().min(0).max(1).default(0.95),
      /** Metrics scored statistically; empty for every metric except markers such as `deploy`. */
      metrics: z.array(z.string()).default([]),
      warmupSamples: z.number().int().min(1).optional(),
      /**
       * A statistical anomaly is CRITICAL only this many standard deviations of the series'
       * normal noise from its level, or more; closer, it is WARNING. Its score says how unusual
       * a value is, not how bad: a value inside the noise never pages as critical.
       */
      criticalDeviation: z.number().min(1).default(6),
      /**
       * A statistical anomaly also needs the value this many standard deviations of the
       * series' noise from its level. The score says a value is unusual for the recent past;
       * early in a series, or on a slow wave, plain noise scores high, and an incident per
       * component every few minutes on healthy data is worse than useless. 0 turns it off.
       */
      minDeviation: z.number().min(0).default(MIN_DEVIATION),
      /**
       * While an incident is open, a metric this many standard deviations (and 10% of its
       * level) from its pre-incident level is listed in the events as shifted
       * (`pre-incident`), for the diagnosis; it does not keep the incident open.
       */
      shiftDeviation: z.number().min(0).default(MIN_DEVIATION),
    })
    .default({
      enabled: true,
      scoreThreshold: 0.95,
      metrics: [],
      criticalDeviation: 6,
      minDeviation: MIN_DEVIATION,
      shiftDeviation: MIN_DEVIATION,
    }),
  /** Consecutive anomalous samples (of any metric of the component) before an incident opens. */
  openAfterSamples: z.number().int().min(1).default(1),
  /** Consecutive healthy samples before the incident resolves: hysteresis against flapping. */
  resolveAfterSamples: z.number().int().min(1).default(6),
  /** While an incident stays anomalous, ANOMALY is emitted again at most this often. */
  reemitEveryMs: z.number().int().min(1000).default(5_000),
  /** A metric not reported for this long is stale: never anomalous, never matches. */
  staleAfterMs: z.number().int().min(1).default(60_000),
  /** Distinct metrics kept per component; further new names are ignored (bounded memory). */
  maxMetrics: z.number().int().min(1).default(64),
  /** This deployment's metric aliases, on top of the default table (docs/metrics.md). */
  aliases: metricAliasesSchema.default([]),
  forecast: forecastConfigSchema.default(DEFAULT_FORECAST_CONFIG),
  surplus: surplusConfigSchema.default(DEFAULT_SURPLUS_CONFIG),
  /** When no data is a signal: docs/healing-over-time.md. */
  silence: silenceConfigSchema.default(DEFAULT_SILENCE),
});

export type DetectorConfig = z.infer<typeof detectorConfigSchema> & {
  /** The default alias table with `aliases` on top: how samples are named once they enter. */
  aliasTable: MetricAliasTable;
};
export type DetectorConfigInput = z.input<typeof detectorConfigSchema>;
export type ThresholdRule = z.infer<typeof thresholdSchema>;

/** Static thresholds matching the metric catalogue of docs/metrics.md. */
export const DEFAULT_THRESHOLDS: ThresholdRule[] = [
  { metric: 'latency_p99', operator: 'gt', value: 300, severity: 'WARNING', components: [] },
  { metric: 'latency_p99', operator: 'gt', value: 500, severity: 'CRITICAL', components: [] },
  { metric: 'error_rate', operator: 'gt', value: 0.05, severity: 'WARNING', components: [] },
  { metric: 'error_rate', operator: 'gt', value: 0.15, severity: 'CRITICAL', components: [] },
  { metric: 'cpu_util', operator: 'gt', value: 0.9, severity: 'WARNING', components: [] },
  { metric: 'memory_util', operator: 'gt', value: 0.85, severity: 'WARNING', components: [] },
  {
    metric: 'db_pool_utilization',
    operator: 'gte',
    value: 0.95,
    severity: 'WARNING',
    components: [],
  },
  {
    metric: 'dependency_error_rate',
    operator: 'gt',
    value: 0.1,
    severity: 'WARNING',
    components: [],
  },
];

export function resolveDetectorConfig(input: DetectorConfigInput = {}): DetectorConfig {
  const parsed = detectorConfigSchema.parse(input);
  return Object.freeze({
    ...parsed,
    thresholds: input.thresholds === undefined ? DEFAULT_THRESHOLDS : parsed.thresholds,
    aliasTable: metricAliases(parsed.aliases),
  });
}
