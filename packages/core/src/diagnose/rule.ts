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

/** Anomalous, or above a level. */
export const elevated = (e: Evidence, metric: string, level: number) =>
  e.anomaly(metric) !== undefined || (e.value(metric) ?? -Infinity) > level;

export function poolUtilization(e: Evidence): number | undefined {
  const direct = e.value('db_pool_utilization');
  if (direct !== undefined) return direct;
  const active = e.value('db_pool_active');
  const max = e.value('db_pool_max');
  return active !== undefined && max !== undefined && max > 0 ? active / max : undefined;
}

/** value / baseline of a statistical anomaly of `metric` (undefined without one). */
export function ratioToBaseline(e: Evidence, metric: string): number | undefined {
  const a = e.anomaly(metric);
  if (!a || a.detector !== 'statistical') return undefined;
  return a.value / Math.max(Math.abs(a.baseline), 1e-9);
}

/** Throughput well above its usual level: the load itself changed. */
export const surged = (e: Evidence) => (ratioToBaseline(e, 'throughput') ?? 0) >= 1.5;

/** CPU reported and busy at or above `level`. */
export const busy = (e: Evidence, level: number) => (e.value('cpu_util') ?? 0) >= level;
