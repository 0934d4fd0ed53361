import { existsSync } from 'node:fs';
import { z } from 'zod';
import {
  loadComponents,
  loadPolicyDir,
  resolveDecisionConfig,
  type ComponentRegistry,
  type DecisionConfig,
  type Policy,
} from '@healstream/core';
import { ConfigError } from '@healstream/contracts';
import { baseEnvSchema } from '@healstream/runtime';

const positive = z.coerce.number().int().min(1);

export const evaluatorEnvSchema = baseEnvSchema.extend({
  POLICIES_DIR: z.string().min(1).default('policies'),
  /** components.yaml: commands are validated against it before dispatch. Unset: ./components.yaml if present. */
  COMPONENTS_FILE: z.string().min(1).optional(),
  MAX_ATTEMPTS: positive.optional(),
  FLEET_PER_MINUTE: positive.optional(),
  FLEET_PER_HOUR: positive.optional(),
  PER_COMPONENT_PER_HOUR: positive.optional(),
  COMMAND_TIMEOUT_MS: positive.optional(),
  /** Flap damping (docs/healing-over-time.md): a re-open within the window after RECOVERED is a flap. */
  FLAP_WINDOW_MS: positive.optional(),
  FLAP_HALF_LIFE_MS: positive.optional(),
  FLAP_SUPPRESS_AT: z.coerce.number().positive().optional(),
  FLAP_REUSE_BELOW: z.coerce.number().positive().optional(),
  /** Policy effectiveness: rolling window, how long a cure must last, demotion threshold and minimum attempts. */
  EFFECTIVENESS_WINDOW_MS: positive.optional(),
  EFFECTIVENESS_STABLE_MS: positive.optional(),
  EFFECTIVENESS_DEMOTE_BELOW: z.coerce.number().min(0).max(1).optional(),
  EFFECTIVENESS_MIN_ATTEMPTS: positive.optional(),
  /** An incident no policy acts on is paged after this long (`5m`, `90s`, `2h`), or `off`. */
  UNHANDLED_PAGE_AFTER: z
    .string()
    .regex(/^(off|\d+(ms|s|m|h))$/, "must be a duration such as '5m' or '90s', or 'off'")
    .optional(),
});

/** Only the variables that are set: unset ones keep the core's defaults. */
function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

function unhandledPageAfterMs(raw: string): number | null {
  if (raw === 'off') return null;
  const [, n, unit] = /^(\d+)(ms|s|m|h)$/.exec(raw) as RegExpExecArray;
  return Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

export type EvaluatorEnv = z.infer<typeof evaluatorEnvSchema>;

/** Policies and components are validated at start-up: a bad file stops it with file and line. */
export function loadEvaluatorInputs(env: EvaluatorEnv): {
  policies: Policy[];
  components: ComponentRegistry | null;
  decision: Omit<DecisionConfig, 'partition' | 'partitionCount'>;
} {
  if (env.COMPONENTS_FILE && !existsSync(env.COMPONENTS_FILE)) {
    throw new ConfigError(`COMPONENTS_FILE ${env.COMPONENTS_FILE} does not exist`, {
      variables: ['COMPONENTS_FILE'],
    });
  }
  const componentsFile =
    env.COMPONENTS_FILE ?? (existsSync('components.yaml') ? 'components.yaml' : undefined);
  const components = componentsFile ? loadComponents(componentsFile) : null;
  const policies = loadPolicyDir(
    env.POLICIES_DIR,
    components ? { actions: components.actions } : {},
  );
  const decision = resolveDecisionConfig({
    ...(env.MAX_ATTEMPTS ? { maxAttempts: env.MAX_ATTEMPTS } : {}),
    ...(env.FLEET_PER_MINUTE ? { fleetPerMinute: env.FLEET_PER_MINUTE } : {}),
    ...(env.FLEET_PER_HOUR ? { fleetPerHour: env.FLEET_PER_HOUR } : {}),
    ...(env.PER_COMPONENT_PER_HOUR ? { perComponentPerHour: env.PER_COMPONENT_PER_HOUR } : {}),
    ...(env.COMMAND_TIMEOUT_MS ? { commandTimeoutMs: env.COMMAND_TIMEOUT_MS } : {}),
    flap: defined({
      windowMs: env.FLAP_WINDOW_MS,
      halfLifeMs: env.FLAP_HALF_LIFE_MS,
      suppressAt: env.FLAP_SUPPRESS_AT,
      reuseBelow: env.FLAP_REUSE_BELOW,
    }),
    effectiveness: defined({
      windowMs: env.EFFECTIVENESS_WINDOW_MS,
      stableMs: env.EFFECTIVENESS_STABLE_MS,
      demoteBelow: env.EFFECTIVENESS_DEMOTE_BELOW,
      minAttempts: env.EFFECTIVENESS_MIN_ATTEMPTS,
    }),
    ...(env.UNHANDLED_PAGE_AFTER
      ? { unhandledPageAfterMs: unhandledPageAfterMs(env.UNHANDLED_PAGE_AFTER) }
      : {}),
  });
  return { policies, components, decision };
}
