/**
 * Forecast error of the detector's trend models on a scenario: every time a model folds a new
 * step, its forecast at each horizon is noted, and scored against the first sample of the metric
 * at or after that horizon: absolute percentage error (for MAPE) and whether the band held it.
 * Split by phase, since a fault's step change is by nature unpredictable.
 */
import type { MetricSample } from '@healstream/contracts';
import { metricForecast, type ComponentDetectorState, type DetectorConfig } from '@healstream/core';

export const FORECAST_HORIZONS_S = [60, 300] as const;

export interface ForecastTally {
  horizonSeconds: number;
  phase: 'healthy' | 'fault';
  n: number;
  /** Sum of |actual − forecast| / |actual| (actuals near 0 floored at 0.01). */
  apeSum: number;
  /** Actuals inside the band. */
  covered: number;
}

interface Pending {
  metric: string;
  horizonSeconds: number;
  due: number;
  value: number;
  lower: number;
  upper: number;
}

export function forecastTracker(config: DetectorConfig, faultStart: number) {
  const pending: Pending[] = [];
  const steps = new Map<string, number>();
  const tallies = new Map<string, ForecastTally>();
  const tally = (horizonSeconds: number, phase: ForecastTally['phase']) => {
    const key = `${horizonSeconds}/${phase}`;
    let t = tallies.get(key);
    if (!t) tallies.set(key, (t = { horizonSeconds, phase, n: 0, apeSum: 0, covered: 0 }));
    return t;
  };
  return {
    /** After the detector took `sample`: score what fell due, note the new forecasts. */
    observe(sample: MetricSample, state: ComponentDetectorState): void {
      for (let i = pending.length - 1; i >= 0; i--) {
        const p = pending[i] as Pending;
        if (p.metric !== sample.metric || sample.timestamp < p.due) continue;
        pending.splice(i, 1);
        const t = tally(p.horizonSeconds, p.due >= faultStart ? 'fault' : 'healthy');
        t.n++;
        t.apeSum += Math.abs(sample.value - p.value) / Math.max(0.01, Math.abs(sample.value));
        if (sample.value >= p.lower && sample.value <= p.upper) t.covered++;
      }
      const m = state.metrics[sample.metric];
      const folded = m?.trend?.steps;
      if (folded === undefined || steps.get(sample.metric) === folded) return;
      steps.set(sample.metric, folded);
      for (const horizonSeconds of FORECAST_HORIZONS_S) {
        const f = metricForecast(m, horizonSeconds * 1000, config);
        // The forecast is from the end of the last folded step, the open one's start.
        const from = (m?.trend?.bucket ?? 0) * config.forecast.stepSeconds * 1000;
        if (f)
          pending.push({
            metric: sample.metric,
            horizonSeconds,
            due: from + horizonSeconds * 1000,
            ...f,
          });
      }
    },
    tallies: (): ForecastTally[] => [...tallies.values()],
  };
}

/** Sums tallies of many scenarios, per horizon and phase. */
export function mergeTallies(all: readonly ForecastTally[][]): ForecastTally[] {
  const out = new Map<string, ForecastTally>();
  for (const t of all.flat()) {
    const key = `${t.horizonSeconds}/${t.phase}`;
    const m = out.get(key) ?? { ...t, n: 0, apeSum: 0, covered: 0 };
    m.n += t.n;
    m.apeSum += t.apeSum;
    m.covered += t.covered;
    out.set(key, m);
  }
  return [...out.values()].sort(
    (a, b) => a.horizonSeconds - b.horizonSeconds || a.phase.localeCompare(b.phase),
  );
}
