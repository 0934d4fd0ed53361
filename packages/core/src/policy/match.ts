import type { Diagnosis } from '@healstream/contracts';
import { matchesGlob } from '../glob.js';
import { FORECAST_DETECTOR } from '../detect/forecast.js';
import { forecastConditionResult } from './forecast-condition.js';
import { formatNumber } from './format.js';
import type { ComponentSelector, Condition, Operator, Policy } from './types.js';

const SYMBOL: Record<Operator, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=', ne: '≠' };

export function compare(value: number, operator: Operator, threshold: number): boolean {
  switch (operator) {
    case 'gt':
      return value > threshold;
    case 'gte':
      return value >= threshold;
    case 'lt':
      return value < threshold;
    case 'lte':
      return value <= threshold;
    case 'eq':
      return value === threshold;
    case 'ne':
      return value !== threshold;
  }
}

export function selectorMatches(
  selector: ComponentSelector,
  component: string,
  labels: Record<string, string>,
): boolean {
  if (selector.components.length > 0 && !selector.components.some((g) => matchesGlob(g, component)))
    return false;
  return Object.entries(selector.labels).every(([k, v]) => labels[k] === v);
}

export interface MatchInput {
  diagnosis: Diagnosis;
  now: number;
  /** A reading older than this never satisfies a condition. */
  staleAfterMs: number;
  /** Labels from components.yaml, overridden by the labels the samples carry. */
  componentLabels?: Record<string, string>;
  /** componentLabels and the diagnosis' labels merged, when the caller already did it. */
  labels?: Record<string, string>;
}

export interface PolicyMatch {
  matched: boolean;
  reason: string;
}

const fmt = formatNumber;

function conditionResult(condition: Condition, input: MatchInput): PolicyMatch {
  const { diagnosis, now } = input;
  if (condition.kind === 'metric') {
    let reading: Diagnosis['snapshot'][number] | undefined;
    for (const r of diagnosis.snapshot)
      if (r.metric === condition.metric) {
        reading = r;
        break;
      }
    if (!reading) return { matched: false, reason: `${condition.metric} not reported` };
    const age = now - reading.observedAt;
    if (age > input.staleAfterMs) {
      return {
        matched: false,
        reason: `${condition.metric} is stale (last seen ${Math.round(age / 1000)} s ago)`,
      };
    }
    const ok = compare(reading.value, condition.operator, condition.threshold);
    const op = SYMBOL[condition.operator];
    return {
      matched: ok,
      reason: ok
        ? `${condition.metric} ${fmt(reading.value)} ${op} ${fmt(condition.threshold)}`
        : `${condition.metric} ${fmt(reading.value)} is not ${op} ${fmt(condition.threshold)}`,
    };
  }
  if (condition.kind === 'cause') {
    const cause = diagnosis.causes.find((c) => c.cause === condition.cause);
    if (!cause) return { matched: false, reason: `cause ${condition.cause} not diagnosed` };
    const ok = cause.confidence >= condition.minConfidence;
    return {
      matched: ok,
      reason: ok
        ? `cause ${condition.cause} at confidence ${fmt(cause.confidence)} ≥ ${fmt(condition.minConfidence)}`
        : `cause ${condition.cause} at confidence ${fmt(cause.confidence)} < ${fmt(condition.minConfidence)}`,
    };
  }
  if (condition.kind === 'forecast') return forecastConditionResult(condition, diagnosis);
  // A prediction is not an anomaly: `forecast:` conditions read it, `anomaly:` ones do not.
  const anomaly = diagnosis.anomalies.find(
    (a) => a.metric === condition.metric && a.detector !== FORECAST_DETECTOR,
  );
  if (!anomaly) return { matched: false, reason: `${condition.metric} not anomalous` };
  const ok = anomaly.score >= condition.minScore;
  return {
    matched: ok,
    reason: ok
      ? `${condition.metric} anomalous (score ${fmt(anomaly.score)})`
      : `${condition.metric} anomaly score ${fmt(anomaly.score)} < ${fmt(condition.minScore)}`,
  };
}

/** Whether every condition of the policy holds for the diagnosis, with a readable reason. */
export function matchPolicy(policy: Policy, input: MatchInput): PolicyMatch {
  const labels = input.labels ?? { ...input.componentLabels, ...input.diagnosis.labels };
  if (!selectorMatches(policy.selector, input.diagnosis.component, labels)) {
    return { matched: false, reason: `component ${input.diagnosis.component} not selected` };
  }
  const reasons: string[] = [];
  for (const condition of policy.conditions) {
    const result = conditionResult(condition, input);
    if (!result.matched) return result;
    reasons.push(result.reason);
  }
  return { matched: true, reason: reasons.join(', ') };
}
