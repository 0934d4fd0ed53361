import type { MetricSample } from '@healstream/contracts';
import { z } from 'zod';
import { TICK_COMPONENT, TICK_METRIC } from '../detect/silence.js';

/**
 * A recorded stream for `simulate`: one JSON object per line. Blank lines and lines starting
 * with `#` are ignored. A line is either a metric sample or an outcome rule:
 *   {"component":"payments","metric":"latency_p99","value":640,"timestamp":"2026-03-01T10:00:05Z","labels":{}}
 *   {"outcome":{"policy":"Critical Latency Spike","verification":"NOT_RECOVERED"}}
 * Outcome rules say how simulated commands end; without one, a command succeeds and recovers.
 * `{"quiet_until":"2026-03-01T10:05:00Z"}` says nothing arrives until then (silence is judged
 * on the detector's ticks meanwhile).
 */
const timestamp = z.unknown().transform((v, ctx) => {
  const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isInteger(t) || t < 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected epoch milliseconds or an ISO-8601 time, got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return t;
});

const sampleSchema = z.strictObject({
  component: z.string().min(1),
  metric: z.string().min(1),
  value: z.number().refine(Number.isFinite, 'value must be finite'),
  timestamp,
  labels: z.record(z.string(), z.string()).default({}),
});

const outcomeRuleSchema = z.strictObject({
  outcome: z.strictObject({
    component: z.string().optional(),
    policy: z.string().optional(),
    attempt: z.number().int().min(1).optional(),
    status: z.enum(['SUCCEEDED', 'FAILED', 'TIMED_OUT']).default('SUCCEEDED'),
    verification: z.enum(['RECOVERED', 'NOT_RECOVERED', 'UNKNOWN']).default('RECOVERED'),
  }),
});

const quietSchema = z.strictObject({ quiet_until: timestamp });

export type OutcomeRule = z.infer<typeof outcomeRuleSchema>['outcome'];

export interface InputError {
  line: number;
  message: string;
}

export interface SimulationInput {
  samples: (MetricSample & { line: number })[];
  outcomeRules: OutcomeRule[];
  errors: InputError[];
}

export function parseSimulationInput(text: string): SimulationInput {
  const input: SimulationInput = { samples: [], outcomeRules: [], errors: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      input.errors.push({ line, message: `not JSON: ${(error as Error).message}` });
      return;
    }
    if (json !== null && typeof json === 'object' && 'quiet_until' in json) {
      // Nothing arrives until then: the detector's ticks still move its clock (silence).
      const until = quietSchema.safeParse(json);
      if (until.success)
        input.samples.push({
          component: TICK_COMPONENT,
          metric: TICK_METRIC,
          value: 0,
          timestamp: until.data.quiet_until,
          labels: {},
          line,
        });
      else input.errors.push({ line, message: `quiet_until: ${until.error.issues[0]?.message}` });
      return;
    }
    const isRule = json !== null && typeof json === 'object' && 'outcome' in json;
    const result = (isRule ? outcomeRuleSchema : sampleSchema).safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      input.errors.push({ line, message: `${where}${issue?.message ?? 'invalid'}` });
      return;
    }
    if ('outcome' in result.data) input.outcomeRules.push(result.data.outcome);
    else input.samples.push({ ...result.data, line });
  });
  return input;
}
