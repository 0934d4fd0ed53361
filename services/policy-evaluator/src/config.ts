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
  /** An incident no policy acts on is paged after this long (`5m`, `90s`, `2h`), or `off`. */
  UNHANDLED_PAGE_AFTER: z
    .string()
    .regex(/^(off|\d+(ms|s|m|h))$/, "must be a duration such as '5m' or '90s', or 'off'")
    .optional(),
});

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
    ...(env.UNHANDLED_PAGE_AFTER
      ? { unhandledPageAfterMs: unhandledPageAfterMs(env.UNHANDLED_PAGE_AFTER) }
      : {}),
  });
  return { policies, components, decision };
}
