import { z } from 'zod';
import type { ComponentRegistry } from '@healstream/core';
import { ConfigError } from '@healstream/contracts';
import { baseEnvSchema } from '@healstream/runtime';

const ms = (fallback: number, min = 0, max = 3_600_000) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const executorEnvSchema = baseEnvSchema.extend({
  COMPONENTS_FILE: z.string().min(1).default('components.yaml'),
  /** Control API of the fleet supervisor (`healstream fleet`), for `process` components. */
  FLEET_SUPERVISOR_URL: z.url().default('http://127.0.0.1:7100'),
  /** Its bearer token (`healstream fleet` prints it, or reads HEALSTREAM_FLEET_TOKEN). */
  FLEET_SUPERVISOR_TOKEN: z.string().default(''),
  /** Secret of the HMAC signature of `http` webhooks (a component may name its own env variable in options.secret_env). */
  WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  ACTION_TIMEOUT_MS: ms(60_000, 100),
  ACTION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  ACTION_BACKOFF_INITIAL_MS: ms(500, 1),
  ACTION_BACKOFF_MAX_MS: ms(10_000, 1),
  BREAKER_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  BREAKER_HALF_OPEN_MS: ms(30_000, 100),
  BULKHEAD_QUEUE: z.coerce.number().int().min(0).max(1000).default(10),
  VERIFY_WINDOW_MS: ms(15_000, 0),
  VERIFY_INTERVAL_MS: ms(1000, 50),
  VERIFY_HEALTHY_CHECKS: z.coerce.number().int().min(1).max(100).default(3),
  /** On SIGTERM, how long running commands may take to finish and report. */
  DRAIN_TIMEOUT_MS: ms(30_000),
});

export type ExecutorEnv = z.infer<typeof executorEnvSchema>;

/** What the executor's logic needs, in milliseconds. */
export interface ExecutorSettings {
  actionTimeoutMs: number;
  maxAttempts: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  breakerFailures: number;
  breakerHalfOpenMs: number;
  bulkheadQueue: number;
  verifyWindowMs: number;
  verifyIntervalMs: number;
  verifyHealthyChecks: number;
}

export const DEFAULT_SETTINGS: ExecutorSettings = {
  actionTimeoutMs: 60_000,
  maxAttempts: 3,
  backoffInitialMs: 500,
  backoffMaxMs: 10_000,
  breakerFailures: 5,
  breakerHalfOpenMs: 30_000,
  bulkheadQueue: 10,
  verifyWindowMs: 15_000,
  verifyIntervalMs: 1000,
  verifyHealthyChecks: 3,
};

export function settingsFrom(env: ExecutorEnv): ExecutorSettings {
  return {
    actionTimeoutMs: env.ACTION_TIMEOUT_MS,
    maxAttempts: env.ACTION_MAX_ATTEMPTS,
    backoffInitialMs: env.ACTION_BACKOFF_INITIAL_MS,
    backoffMaxMs: env.ACTION_BACKOFF_MAX_MS,
    breakerFailures: env.BREAKER_FAILURES,
    breakerHalfOpenMs: env.BREAKER_HALF_OPEN_MS,
    bulkheadQueue: env.BULKHEAD_QUEUE,
    verifyWindowMs: env.VERIFY_WINDOW_MS,
    verifyIntervalMs: env.VERIFY_INTERVAL_MS,
    verifyHealthyChecks: env.VERIFY_HEALTHY_CHECKS,
  };
}

/**
 * The signing secret of every `http` component: the variable its `options.secret_env` names,
 * else WEBHOOK_SECRET. A component without one stops the start-up, naming the variable.
 */
export function webhookSecrets(
  components: ComponentRegistry,
  env: Record<string, string | undefined>,
  fallback: string | undefined,
): Map<string, string> {
  const secrets = new Map<string, string>();
  const missing: string[] = [];
  for (const c of components.components.values()) {
    if (c.executor !== 'http') continue;
    const variable =
      typeof c.options['secret_env'] === 'string' ? c.options['secret_env'] : 'WEBHOOK_SECRET';
    const secret = variable === 'WEBHOOK_SECRET' ? fallback : env[variable];
    if (!secret || secret.length < 16)
      missing.push(
        `${variable} (signing secret of http component '${c.id}', at least 16 characters)`,
      );
    else secrets.set(c.id, secret);
  }
  if (missing.length > 0)
    throw new ConfigError(`invalid configuration: ${missing.join('; ')} is required`, {
      variables: missing.map((m) => m.split(' ')[0] as string),
    });
  return secrets;
}
