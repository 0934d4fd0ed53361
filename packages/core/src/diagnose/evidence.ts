import type { Anomaly, ReliabilityEvent } from '@healstream/contracts';
import { FORECAST_DETECTOR } from '../detect/forecast.js';

/** What a cause rule may look at: fresh readings and anomalies of one event. */
export interface Evidence {
  event: ReliabilityEvent;
  /** Latest value of a metric, or undefined when missing or stale. */
  value(metric: string): number | undefined;
  observedAt(metric: string): number | undefined;
  /** The detector's anomaly for the metric (a threshold or statistical one before a shift). */
  anomaly(metric: string): Anomaly | undefined;
  /**
   * The metric's usual (pre-incident) level, when the detector says it moved from it: the
   * baseline of a statistical anomaly or of a pre-incident shift.
   */
  usual(metric: string): number | undefined;
}

export function evidenceOf(event: ReliabilityEvent, staleAfterMs: number): Evidence {
  const fresh = new Map(
    event.snapshot
      .filter((r) => event.detectedAt - r.observedAt <= staleAfterMs)
      .map((r) => [r.metric, r]),
  );
  const anomalies = new Map<string, Anomaly>();
  const usual = new Map<string, number>();
  for (const a of event.anomalies) {
    // A forecast says where a metric is heading, not what is wrong: no cause is read from it.
    if (a.detector === FORECAST_DETECTOR) continue;
    if (a.detector !== 'threshold') usual.set(a.metric, a.baseline);
    const known = anomalies.get(a.metric);
    if (!known || known.detector === 'pre-incident') anomalies.set(a.metric, a);
  }
  return {
    event,
    value: (metric) => fresh.get(metric)?.value,
    observedAt: (metric) => event.snapshot.find((r) => r.metric === metric)?.observedAt,
    anomaly: (metric) => anomalies.get(metric),
    usual: (metric) => usual.get(metric),
  };
}

export const num = (n: number) =>
  Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(3)));
export const pct = (fraction: number) => `${num(fraction * 100)}%`;

/** `latency_p99 640 (baseline 120, score 0.98)` */
export function describe(e: Evidence, metric: string, format: (n: number) => string = num): string {
  const value = e.value(metric);
  const anomaly = e.anomaly(metric);
  if (value === undefined) return `${metric} not reported`;
  if (!anomaly) return `${metric} ${format(value)}`;
  const expected =
    anomaly.detector === 'threshold'
      ? `threshold ${format(anomaly.baseline)}`
      : `baseline ${format(anomaly.baseline)}`;
  return `${metric} ${format(value)} (${expected}, score ${num(anomaly.score)})`;
}
