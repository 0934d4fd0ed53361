import type { Diagnosis, Forecast } from '@healstream/contracts';
import type { Condition, ForecastOperator } from './types.js';

type ForecastCondition = Extract<Condition, { kind: 'forecast' }>;

const SYMBOL: Record<ForecastOperator, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤' };
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(3))));

/**
 * The cautious side of the band: a rise is believed when even its lower bound is past the
 * threshold, a fall when even its upper bound is. A noisy flat series has a wide band and is
 * never believed to cross.
 */
function crosses(f: Forecast, operator: ForecastOperator, threshold: number): boolean {
  switch (operator) {
    case 'gt':
      return f.lower > threshold;
    case 'gte':
      return f.lower >= threshold;
    case 'lt':
      return f.upper < threshold;
    case 'lte':
      return f.upper <= threshold;
  }
}

const band = (f: Forecast) => `${fmt(f.value)} (band ${fmt(f.lower)}–${fmt(f.upper)})`;

/**
 * `forecast:` — true when a forecast the detector attached, at a horizon up to
 * `horizon_seconds`, puts the metric past the threshold (the earliest such horizon is named).
 */
export function forecastConditionResult(
  condition: ForecastCondition,
  diagnosis: Pick<Diagnosis, 'forecasts'>,
): { matched: boolean; reason: string } {
  const { metric, operator, threshold, horizonSeconds } = condition;
  const op = SYMBOL[operator];
  const within = diagnosis.forecasts
    .filter((f) => f.metric === metric && f.horizonSeconds <= horizonSeconds)
    .sort((a, b) => a.horizonSeconds - b.horizonSeconds);
  if (within.length === 0) {
    const carried = diagnosis.forecasts.filter((f) => f.metric === metric);
    return {
      matched: false,
      reason:
        carried.length === 0
          ? `no forecast of ${metric} (not modelled, or its model is warming up)`
          : `no forecast of ${metric} within ${horizonSeconds} s (the detector forecasts at ${carried.map((f) => `${f.horizonSeconds} s`).join(', ')})`,
    };
  }
  const hit = within.find((f) => crosses(f, operator, threshold));
  if (hit)
    return {
      matched: true,
      reason: `${metric} forecast ${band(hit)} in ${hit.horizonSeconds} s ${op} ${fmt(threshold)}`,
    };
  const last = within[within.length - 1] as Forecast;
  return {
    matched: false,
    reason: `${metric} forecast ${band(last)} in ${last.horizonSeconds} s is not surely ${op} ${fmt(threshold)}`,
  };
}
