import type { Evidence } from './evidence.js';

export interface CauseFinding {
  confidence: number;
  evidence: string[];
}

export interface CauseRule {
  cause: string;
  summary: string;
  /** The shape the cause leaves in the metrics, in a line (docs/diagnosis.md lists them). */
  shape: string;
  /** Metrics the rule reads (docs/metrics.md lists them all). */
  metrics: string[];
  assess(e: Evidence, options: { badDeployWindowMs: number }): CauseFinding | null;
}

/** Anomalous upwards (a threshold crossed, or above its usual level), or above a level. */
export function elevated(e: Evidence, metric: string, level: number): boolean {
  const a = e.anomaly(metric);
  if (a && (a.detector === 'threshold' || a.value > a.baseline)) return true;
  return (e.value(metric) ?? -Infinity) > level;
}

export function poolUtilization(e: Evidence): number | undefined {
  const direct = e.value('db_pool_utilization');
  if (direct !== undefined) return direct;
  const active = e.value('db_pool_active');
  const max = e.value('db_pool_max');
  return active !== undefined && max !== undefined && max > 0 ? active / max : undefined;
}

/**
 * value / usual level of `metric`, when the detector says it moved: a statistical anomaly, or a
 * shift from its pre-incident level (undefined otherwise: a threshold's baseline is no level).
 */
export function ratioToBaseline(e: Evidence, metric: string): number | undefined {
  const usual = e.usual(metric);
  const value = e.value(metric);
  if (usual === undefined || value === undefined) return undefined;
  return value / Math.max(Math.abs(usual), 1e-9);
}

/** The metric rose to at least `factor` × its usual (pre-incident) level. */
export const rose = (e: Evidence, metric: string, factor: number) =>
  (ratioToBaseline(e, metric) ?? 0) >= factor;

/** The metric fell to at most `factor` × its usual (pre-incident) level. */
export const fell = (e: Evidence, metric: string, factor: number) =>
  (ratioToBaseline(e, metric) ?? Infinity) <= factor;

/** Throughput well above its usual level: the load itself changed. */
export const surged = (e: Evidence) => (ratioToBaseline(e, 'throughput') ?? 0) >= 1.5;

/** CPU reported and busy at or above `level`. */
export const busy = (e: Evidence, level: number) => (e.value('cpu_util') ?? 0) >= level;
