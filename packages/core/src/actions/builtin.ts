import { z } from 'zod';

/**
 * Parameters arrive as YAML scalars (policies) or strings (HealingCommand.params), so every
 * numeric parameter coerces. Objects are strict: an unknown parameter is a mistake, not a no-op.
 */
export interface ActionSpec {
  name: string;
  description: string;
  params: z.ZodType<Record<string, unknown>>;
  /** Handed to the escalator instead of an executor. */
  delegated: boolean;
  /** Declared by configuration rather than built in. */
  custom: boolean;
}

const seconds = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const MAX_SCALE_UP_REPLICAS = 20;

export const BUILTIN_ACTIONS: readonly ActionSpec[] = [
  {
    name: 'restart-service',
    description: 'Gracefully restart the component (drain, stop, start, health check).',
    params: z.strictObject({ grace_seconds: seconds(0, 300, 30) }),
    delegated: false,
    custom: false,
  },
  {
    name: 'scale-up',
    description: 'Add replicas; bounded per component by max_replicas in components.yaml.',
    params: z.strictObject({
      replicas: z.coerce.number().int().min(1).max(MAX_SCALE_UP_REPLICAS).default(1),
    }),
    delegated: false,
    custom: false,
  },
  {
    name: 'scale-down',
    description:
      'Remove replicas a scale-up added; never below min_replicas in components.yaml (default 1).',
    params: z.strictObject({
      replicas: z.coerce.number().int().min(1).max(MAX_SCALE_UP_REPLICAS).default(1),
    }),
    delegated: false,
    custom: false,
  },
  {
    name: 'enable-circuit-breaker',
    description: 'Stop sending traffic to a failing dependency for a while.',
    params: z.strictObject({
      duration_seconds: seconds(5, 3600, 60),
      dependency: z.string().min(1).optional(),
    }),
    delegated: false,
    custom: false,
  },
  {
    name: 'fallback-mode',
    description: 'Switch to a degraded but functional mode (cache, static content).',
    params: z.strictObject({ duration_seconds: seconds(10, 86_400, 300) }),
    delegated: false,
    custom: false,
  },
  {
    name: 'rollback-deployment',
    description: 'Revert to the previous (or the given) version.',
    params: z.strictObject({ to_version: z.string().min(1).optional() }),
    delegated: false,
    custom: false,
  },
  {
    name: 'alert-oncall',
    description: 'Page the on-call route of the component (delegated to the escalator).',
    params: z.strictObject({
      severity: z.enum(['INFO', 'WARNING', 'CRITICAL']).default('CRITICAL'),
      message: z.string().max(500).optional(),
    }),
    delegated: true,
    custom: false,
  },
];

export const BUILTIN_ACTION_NAMES: readonly string[] = BUILTIN_ACTIONS.map((a) => a.name);
