import { z } from 'zod';

/**
 * The detector's trend models (Holt's linear trend, @healstream/anomaly). Each metric listed
 * gets one per component; every event carries its forecasts at `horizonsSeconds`, and a
 * threshold rule of the metric that the model's band says will be crossed within
 * `alertHorizonSeconds` marks the metric anomalous (detector `forecast`) before it is crossed.
 */
export const forecastConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Metrics modelled; resource saturation is what a trend predicts well and what capacity fixes. */
  metrics: z.array(z.string().min(1)).default(['cpu_util', 'memory_util']),
  /** Horizons every event carries a forecast for (what `forecast:` conditions read). */
  horizonsSeconds: z.array(z.number().int().min(1).max(86_400)).min(1).default([60, 300, 900]),
  /** A threshold predicted to be crossed within this long opens an incident; 0 never. */
  alertHorizonSeconds: z.number().int().min(0).max(86_400).default(300),
  /** Samples are averaged over steps this long before the model sees them. */
  stepSeconds: z.number().min(1).max(3600).default(10),
  alpha: z.number().gt(0).max(1).default(0.5),
  beta: z.number().gt(0).max(1).default(0.1),
  /** Half-width of the band, in standard deviations of the forecast error. */
  z: z.number().min(0).max(10).default(2),
  /** Steps before a model forecasts at all. */
  warmupSteps: z.number().int().min(3).default(12),
  /** Consecutive steps a crossing must be predicted on before it opens an incident. */
  confirmSteps: z.number().int().min(1).default(3),
});

export type ForecastConfig = z.infer<typeof forecastConfigSchema>;
export const DEFAULT_FORECAST_CONFIG: ForecastConfig = forecastConfigSchema.parse({});

/**
 * Capacity above normal: a component reporting more `metric` (its running replicas) than the
 * lowest count it has reported is marked anomalous (detector `surplus`), so the incident of a
 * scale-up stays open until the component is back to its normal size and a scale-down policy has
 * something to act on.
 */
export const surplusConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  metric: z.string().min(1).default('replicas'),
});

export type SurplusConfig = z.infer<typeof surplusConfigSchema>;
export const DEFAULT_SURPLUS_CONFIG: SurplusConfig = surplusConfigSchema.parse({});
