import { infraSettings, up } from '@healstream/infra';
import { baseEnvSchema, loadConfig, type BaseEnv } from '@healstream/runtime';
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
