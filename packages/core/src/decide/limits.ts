import { partitionBudget, type DecisionConfig } from './config.js';
import { MINUTE_MS, type EvaluatorState } from './state.js';

export type LimitHit =
  | { kind: 'component'; reason: string }
  | { kind: 'fleet'; reason: string; window: 'minute' | 'hour'; budget: number };

/**
 * Limits that stop any policy on this component: its own hourly cap, then this partition's
 * share of the fleet budget (fleet budget / partitionCount, see DecisionConfig).
 */
export function limitHit(
  state: EvaluatorState,
  component: string,
  config: DecisionConfig,
  now: number,
): LimitHit | null {
  const perComponent = state.dispatches.filter((d) => d.component === component).length;
  if (perComponent >= config.perComponentPerHour) {
    return {
      kind: 'component',
      reason: `${component} reached ${config.perComponentPerHour} dispatches in the last hour`,
    };
  }
  const minuteBudget = partitionBudget(config.fleetPerMinute, config.partitionCount);
  const hourBudget = partitionBudget(config.fleetPerHour, config.partitionCount);
  const lastMinute = state.dispatches.filter((d) => d.at > now - MINUTE_MS).length;
  if (lastMinute < minuteBudget && state.dispatches.length < hourBudget) return null;
  const window = lastMinute >= minuteBudget ? 'minute' : 'hour';
  const budget = window === 'minute' ? minuteBudget : hourBudget;
  return {
    kind: 'fleet',
    window,
    budget,
    reason: `partition budget of ${budget} dispatches per ${window} reached (fleet budget / ${config.partitionCount} partitions)`,
  };
}
