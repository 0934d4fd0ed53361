import type { Kafka } from 'kafkajs';
import { topicCatalogue, type TopicSpec } from '@healstream/contracts';
import { infraSettings, up } from '@healstream/infra';
import {
  baseEnvSchema,
  createKafka,
  createLogger,
  createTopics,
  explainConnectionError,
  loadConfig,
  type BaseEnv,
  type ConnectionEnv,
  type TopicsReport,
} from '@healstream/runtime';
import type { CommandIo } from './command.js';

/**
 * The Kafka and registry a command talks to: KAFKA_BROKERS / SCHEMA_REGISTRY_URL when set,
 * else the embedded local ones, started if they are not running.
 */
export async function resolveEnv(
  io: CommandIo,
): Promise<Readonly<BaseEnv> & { env: NodeJS.ProcessEnv }> {
  const env = { ...io.env };
  if (!env['KAFKA_BROKERS'] && !env['SCHEMA_REGISTRY_URL']) {
    const report = await up(infraSettings(io.env), (line) => io.err(line));
    if (report.kafka.started || report.registry.started)
      io.err(`started local Kafka ${report.brokers} and registry ${report.registryUrl}`);
    env['KAFKA_BROKERS'] = report.brokers;
    env['SCHEMA_REGISTRY_URL'] = report.registryUrl;
  }
  return { ...loadConfig(baseEnvSchema, env), env };
}

/**
 * A command's failure as the configuration to fix when the cluster refused its login or TLS
 * (the variables named, no secret shown); any other error as it is.
 */
export function explainFailure(error: unknown, env: NodeJS.ProcessEnv): unknown {
  if (!env['KAFKA_BROKERS'] || !env['SCHEMA_REGISTRY_URL']) return error;
  try {
    return explainConnectionError(error, loadConfig(baseEnvSchema, env));
  } catch {
    return error;
  }
}

/** The CLI's Kafka client, secured as configured: kafkajs's own logging at warn and above. */
export function cliKafka(config: ConnectionEnv): Kafka {
  return createKafka({ config, clientId: 'healstream-cli', logger: createLogger('cli', 'warn') });
}

/** Creates every topic of the configured prefix and partition count that is missing. */
export async function ensureTopics(
  config: Readonly<BaseEnv>,
): Promise<TopicsReport & { specs: TopicSpec[] }> {
  const admin = cliKafka(config).admin();
  await admin.connect();
  try {
    const specs = topicCatalogue(config.HEALSTREAM_TOPIC_PREFIX, config.HEALSTREAM_PARTITIONS);
    return { ...(await createTopics(admin, specs)), specs };
  } finally {
    await admin.disconnect();
  }
}
