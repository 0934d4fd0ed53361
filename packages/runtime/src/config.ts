import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError } from '@healstream/contracts';
import {
  isSecretVariable,
  kafkaSecurity,
  registryConnection,
  securityEnvShape,
  type ConnectionEnv,
} from './connection-security.js';

const brokerList = z
  .string({ error: 'is required (comma-separated host:port list, e.g. 127.0.0.1:9092)' })
  .min(1, 'is required (comma-separated host:port list, e.g. 127.0.0.1:9092)')
  .transform((raw) =>
    raw
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .refine((brokers) => brokers.length > 0 && brokers.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), {
    message: 'must be a comma-separated host:port list, e.g. 127.0.0.1:9092',
  });

const httpUrl = z
  .string({ error: 'is required (e.g. http://127.0.0.1:8081/apis/ccompat/v7)' })
  .refine((raw) => {
    try {
      const url = new URL(raw);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7')
  .transform((raw) => raw.replace(/\/+$/, ''));

const intIn = (min: number, max: number) =>
  z.coerce
    .number()
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** What every service reads. Services extend it with their own variables. */
export const baseEnvSchema = z.object({
  KAFKA_BROKERS: brokerList,
  SCHEMA_REGISTRY_URL: httpUrl,
  HEALSTREAM_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may hold letters, digits, . _ and - only')
    .default('healstream.'),
  HEALSTREAM_PARTITIONS: intIn(1, 1000).default(12),
  HEALSTREAM_INSTANCE_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  HTTP_PORT: intIn(0, 65535).default(0),
  /**
   * Where /healthz, /readyz and /metrics listen: loopback unless told (0.0.0.0 in a container or
   * a pod, where probes and scrapers come from outside).
   */
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** How long the group waits for a silent instance before giving its partitions away. */
  KAFKA_SESSION_TIMEOUT_MS: intIn(6000, 300_000).default(30_000),
  /**
   * The longest a fetch waits at the broker for new records (it answers as soon as there are
   * any): on a quiet partition, how late a record that arrives meanwhile can be picked up.
   */
  KAFKA_FETCH_MAX_WAIT_MS: intIn(1, 10_000).default(100),
  /**
   * The most a fetch brings of one partition (kafkajs' `maxBytesPerPartition`). Unset: the
   * service's own setting, else kafkajs' 1 MiB.
   */
  KAFKA_FETCH_MAX_BYTES_PER_PARTITION: intIn(1024, 64 * 1024 * 1024).optional(),
  /** Records per transaction at most. Unset: the service's own setting, else 500. */
  HEALSTREAM_MAX_RECORDS_PER_TRANSACTION: intIn(1, 1_000_000).optional(),
  /**
   * How many partitions' transactions run at once (each partition has its own producer).
   * Unset: the service's own setting, else DEFAULT_PARTITIONS_CONCURRENTLY.
   */
  HEALSTREAM_PARTITIONS_CONCURRENTLY: intIn(1, 1000).optional(),
  /** A partition with input and no commit for this long is stalled: /readyz turns false. */
  HEALSTREAM_STALL_SECONDS: intIn(5, 86_400).default(60),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  SCHEMA_COMPATIBILITY: z
    .enum([
      'BACKWARD',
      'BACKWARD_TRANSITIVE',
      'FORWARD',
      'FORWARD_TRANSITIVE',
      'FULL',
      'FULL_TRANSITIVE',
      'NONE',
    ])
    .default('FULL'),
  /** OTLP/HTTP collector for traces (spans go to `<url>/v1/traces`); unset: none exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  ...securityEnvShape,
});

export type BaseEnv = z.infer<typeof baseEnvSchema>;

function isConnectionEnv(data: unknown): data is ConnectionEnv {
  return (
    typeof data === 'object' &&
    data !== null &&
    'KAFKA_SECURITY_PROTOCOL' in data &&
    'KAFKA_BROKERS' in data &&
    'SCHEMA_REGISTRY_URL' in data
  );
}

/**
 * Parses the environment once, freezes the result and fails fast with every wrong variable
 * named: `KAFKA_BROKERS is required (...)`. Tests pass a plain object.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (result.success) {
    // A secured connection is checked whole at start-up (files readable, PEM, the variables a
    // protocol needs), so that a service fails here naming the variable, not at its first fetch.
    if (isConnectionEnv(result.data)) {
      kafkaSecurity(result.data);
      registryConnection(result.data);
    }
    return Object.freeze(result.data) as Readonly<z.infer<S>>;
  }
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const shown =
      typeof issue.path[0] === 'string' &&
      env[issue.path[0]] !== undefined &&
      !isSecretVariable(issue.path[0])
        ? ` (got '${env[issue.path[0]]}')`
        : '';
    return { variable, text: `${variable} ${issue.message}${shown}` };
  });
  throw new ConfigError(`invalid configuration: ${problems.map((p) => p.text).join('; ')}`, {
    variables: problems.map((p) => p.variable),
  });
}
