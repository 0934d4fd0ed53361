import { z } from 'zod';
import { customActionSchema } from '../actions/registry.js';
import { approvalSchema } from '../policy/schema.js';

export const EXECUTOR_KINDS = ['process', 'kubernetes', 'docker', 'http'] as const;
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

export const COMPONENT_FIELDS = [
  'executor',
  'target',
  'description',
  'allowed_actions',
  'health_check',
  'oncall',
  'labels',
  'bounds',
  'options',
  'approval',
  'sample_interval_ms',
  'runbook',
] as const;

export const componentSchema = z.strictObject({
  executor: z.enum(EXECUTOR_KINDS),
  /** What the executor acts on: a process name, `namespace/deployment`, a container, a URL. */
  target: z.string().min(1),
  description: z.string().default(''),
  allowed_actions: z.array(z.string().min(1)).min(1),
  health_check: z
    .strictObject({
      url: z.url(),
      expected_status: z.number().int().min(100).max(599).default(200),
      timeout_ms: z.number().int().min(1).max(60_000).default(2000),
    })
    .optional(),
  oncall: z.strictObject({ team: z.string().min(1), route: z.string().min(1) }).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  bounds: z
    .strictObject({
      max_replicas: z.number().int().min(1).max(1000).optional(),
      min_replicas: z.number().int().min(0).max(1000).optional(),
    })
    .default({}),
  /** Executor-specific settings (command line, namespace, webhook secret reference...). */
  options: z.record(z.string(), z.unknown()).default({}),
  /** A tier whose actions a person approves first, whatever the policy (policy settings win). */
  approval: approvalSchema.optional(),
  /** How often the component's samples arrive: silence is judged on it (else it is learnt). */
  sample_interval_ms: z.number().int().min(1).optional(),
  /** The runbook a person paged about this component should open. */
  runbook: z.url().optional(),
});

export const componentsFileSchema = z.strictObject({
  actions: z
    .record(
      z.string().regex(/^[a-z][a-z0-9-]*$/, 'action names are kebab-case'),
      customActionSchema,
    )
    .default({}),
  components: z.record(z.string().min(1), componentSchema),
});

export type ComponentDefinition = z.infer<typeof componentSchema>;
