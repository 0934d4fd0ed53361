import { z } from 'zod';
import { OPERATORS } from './types.js';

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
  'runbook',
] as const;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `for:` as in Prometheus alerting rules: `10s`, `500ms`, `2m`, or a number of seconds. */
export const durationSchema = z
  .union([
    z.number().min(0),
    z.string().regex(DURATION, "must be a duration such as '10s', '500ms' or '2m'"),
  ])
  .transform((v) => {
    if (typeof v === 'number') return Math.round(v * 1000);
    const [, n, unit] = DURATION.exec(v) as RegExpExecArray;
    return Math.round(Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS]);
  })
  .refine((ms) => ms <= 3_600_000, 'must be at most 1h');

const name = z.string().trim().min(1);

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

export const actionEntrySchema = z.union([
  name,
  z.strictObject({
    name,
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  }),
]);

export const policyFileSchema = z.array(z.unknown());
