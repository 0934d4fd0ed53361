import type { Forecast } from '@healstream/contracts';
import { ConfigError } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { parsePolicies } from './parse.js';
import { forecastConditionResult } from './forecast-condition.js';
import type { Condition } from './types.js';

function issues(text: string): string[] {
  try {
    parsePolicies(text, 'p.yaml');
  } catch (error) {
    if (error instanceof ConfigError)
      return error.issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.field}: ${i.message}`);
    throw error;
  }
  return [];
}

const policy = (forecast: string) =>
  `- name: A\n  conditions:\n    - forecast: ${forecast}\n  actions: [scale-up]\n`;

describe('forecast: conditions, loaded', () => {
  it('reads metric, horizon, operator (or op) and threshold, in the canonical unit', () => {
    const [p] = parsePolicies(
      policy('{metric: cpu_percent, horizon_seconds: 300, op: gt, threshold: 90}'),
      'p.yaml',
    );
    expect(p?.conditions).toEqual([
      { kind: 'forecast', metric: 'cpu_util', horizonSeconds: 300, operator: 'gt', threshold: 0.9 },
    ]);
    const [q] = parsePolicies(
      policy('{metric: memory_util, horizon_seconds: 60, operator: lte, threshold: 0.2}'),
      'p.yaml',
    );
    expect(q?.conditions[0]).toMatchObject({ operator: 'lte', horizonSeconds: 60 });
  });

  it('names file, line and field of what is wrong', () => {
    expect(
      issues(policy('{metric: cpu_util, horizon_seconds: 0, op: eq, threshold: 0.9}')),
    ).toEqual([
      'p.yaml:3:53 conditions[0].forecast.horizon_seconds: 0 is too small (at least 1)',
      "p.yaml:3:60 conditions[0].forecast.op: unknown value 'eq' (expected one of gt, gte, lt, lte)",
    ]);
    expect(issues(policy('{metric: cpu_util, horizon_seconds: 300, threshold: 0.9}'))).toEqual([
      "p.yaml:3:17 conditions[0].forecast: needs one of 'operator' or 'op' (gt, gte, lt or lte)",
    ]);
    expect(
      issues(policy('{metric: cpu_util, horizon: 300, operator: gt, threshold: 0.9}')),
    ).toEqual([
      'p.yaml:3:17 conditions[0].forecast.horizon_seconds: missing required field (number)',
      "p.yaml:3:36 conditions[0].forecast.horizon: unknown field 'horizon'",
    ]);
  });
});

type ForecastCondition = Extract<Condition, { kind: 'forecast' }>;
const cond = (over: Partial<ForecastCondition> = {}): ForecastCondition => ({
  kind: 'forecast',
  metric: 'cpu_util',
  horizonSeconds: 300,
  operator: 'gt',
  threshold: 0.9,
  ...over,
});
const f = (horizonSeconds: number, value: number, half: number): Forecast => ({
  metric: 'cpu_util',
  horizonSeconds,
  value,
  lower: value - half,
  upper: value + half,
});

describe('forecast: conditions, evaluated', () => {
  it('holds when the cautious side of the band is past the threshold within the horizon', () => {
    const forecasts = [f(60, 0.8, 0.02), f(300, 0.97, 0.05), f(900, 1.2, 0.2)];
    expect(forecastConditionResult(cond(), { forecasts })).toEqual({
      matched: true,
      reason: 'cpu_util forecast 0.97 (band 0.92–1.02) in 300 s > 0.9',
    });
  });

  it('does not hold when only the forecast, not its band, is past it', () => {
    const forecasts = [f(60, 0.8, 0.02), f(300, 0.95, 0.1)];
    expect(forecastConditionResult(cond(), { forecasts })).toEqual({
      matched: false,
      reason: 'cpu_util forecast 0.95 (band 0.85–1.05) in 300 s is not surely > 0.9',
    });
  });

  it('reads no horizon beyond its own, and says why when there is none', () => {
    expect(
      forecastConditionResult(cond({ horizonSeconds: 120 }), { forecasts: [f(300, 2, 0)] }),
    ).toEqual({
      matched: false,
      reason: 'no forecast of cpu_util within 120 s (the detector forecasts at 300 s)',
    });
    expect(forecastConditionResult(cond(), { forecasts: [] }).reason).toBe(
      'no forecast of cpu_util (not modelled, or its model is warming up)',
    );
  });

  it('uses the upper bound for a fall', () => {
    const forecasts = [f(300, 0.1, 0.05)];
    expect(
      forecastConditionResult(cond({ operator: 'lt', threshold: 0.2 }), { forecasts }).matched,
    ).toBe(true);
    expect(
      forecastConditionResult(cond({ operator: 'lt', threshold: 0.12 }), { forecasts }).matched,
    ).toBe(false);
  });
});
