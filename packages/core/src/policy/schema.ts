import { z } from 'zod';
import { FORECAST_OPERATORS, OPERATORS } from './types.js';

export const POLICY_FIELDS = [
  'name',
  'description',
  'reasoning',
  'selector',
  'conditions',
  'actions',
  'priority',
  'cooldown_seconds',
  'max_per_hour',
  'enabled',
  'mode',
  'for',
  'approval',
  'runbook',
] as const;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** A number of seconds, or a string such as `500ms`, `10s`, `2m`, `1h`, in milliseconds. */
function durationMs(v: number | string): number {
  if (typeof v === 'number') return Math.round(v * 1000);
  const [, n, unit] = DURATION.exec(v) as RegExpExecArray;
  return Math.round(Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS]);
}

/** `for:` as in Prometheus alerting rules: `10s`, `500ms`, `2m`, or a number of seconds. */
export const durationSchema = z
  .union([
    z.number().min(0),
    z.string().regex(DURATION, "must be a duration such as '10s', '500ms' or '2m'"),
  ])
  .transform(durationMs)
  .refine((ms) => ms <= 3_600_000, 'must be at most 1h');

const name = z.string().trim().min(1);

/**
 * `approval: required`, or `approval: { timeout: 10m, on_timeout: escalate|run }`: the command
 * waits for a person (PENDING_APPROVAL); unanswered, it is escalated (default) or run.
 */
export const approvalObjectSchema = z.strictObject({
  timeout: z
    .union([
      z.number().min(1),
      z.string().regex(DURATION, "must be a duration such as '10m' or '90s'"),
    ])
    .default('15m'),
  on_timeout: z.enum(['escalate', 'run']).default('escalate'),
});

/** As an editor should see it: the shorthand or the object. */
export const approvalInputSchema = z.union([z.literal('required'), approvalObjectSchema]);

export const approvalSchema = z
  .preprocess((v) => (v === 'required' ? {} : v), approvalObjectSchema)
  .transform((v) => ({ timeoutMs: durationMs(v.timeout), onTimeout: v.on_timeout }))
  .refine((a) => a.timeoutMs >= 1000 && a.timeoutMs <= 7 * 86_400_000, {
    message: 'timeout must be between 1s and 7 days',
  });

export const selectorSchema = z.strictObject({
  components: z.union([name, z.array(name)]).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

/** Conditions and actions are validated one by one afterwards, to give precise messages. */
export const policySchema = z.strictObject({
  name,
  description: z.string().default(''),
  reasoning: z.string().default(''),
  selector: selectorSchema.optional(),
  conditions: z.array(z.unknown()).min(1),
  actions: z.array(z.unknown()).min(1),
  priority: z.number().int().min(1).max(10).default(5),
  cooldown_seconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(300),
  max_per_hour: z.number().int().min(1).max(3600).optional(),
  enabled: z.boolean().default(true),
  mode: z.enum(['enforce', 'shadow']).default('enforce'),
  /** How long the conditions must hold before the policy acts (ms once parsed; default 0). */
  for: durationSchema.optional(),
  /** Wait for a person before acting (approve or deny), with a timeout and what then. */
  approval: approvalSchema.optional(),
  /** The runbook a person paged by (or about) this policy should open. */
  runbook: z.url().optional(),
});

export const metricConditionSchema = z.strictObject({
  metric: name,
  operator: z.enum(OPERATORS),
  threshold: z.number(),
});

export const causeConditionSchema = z.strictObject({
  cause: name,
  min_confidence: z.number().min(0).max(1).default(0.5),
});

export const anomalyConditionSchema = z.strictObject({
  anomaly: name,
  min_score: z.number().min(0).max(1).default(0),
});

/** `forecast: {metric, horizon_seconds, operator (or op), threshold}`. */
export const forecastConditionSchema = z.strictObject({
  forecast: z
    .strictObject({
      metric: name,
      horizon_seconds: z.number().int().min(1).max(86_400),
      operator: z.enum(FORECAST_OPERATORS).optional(),
      op: z.enum(FORECAST_OPERATORS).optional(),
      threshold: z.number(),
    })
    .refine((f) => (f.operator === undefined) !== (f.op === undefined), {
      message: "needs one of 'operator' or 'op' (gt, gte, lt or lte)",
    }),
});

export const actionEntrySchema = z.union([
  name,
  z.strictObject({
    name,
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  }),
]);

export const policyFileSchema = z.array(z.unknown());
