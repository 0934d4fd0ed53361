import { onTestFinished } from 'vitest';
import { topicCatalogue } from '@healstream/contracts';
import {
  baseEnvSchema,
  createRegistry,
  createTopics,
  loadConfig,
  type BaseEnv,
} from '@healstream/runtime';
import { testEnv, testKafka, uniqueName } from './kafka.js';

/**
 * A private pipeline for one test: a unique topic prefix with every healstream topic created
 * (few partitions, to keep the broker light), deleted when the test finishes.
 */
export async function privatePipeline(
  options: { partitions?: number } = {},
): Promise<{ prefix: string; config: Readonly<BaseEnv>; topic: (logical: string) => string }> {
  const prefix = `${uniqueName('hs')}.`;
  const partitions = options.partitions ?? 3;
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  const specs = topicCatalogue(prefix, partitions);
  await createTopics(admin, specs);
  await admin.disconnect();
  onTestFinished(async () => {
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteTopics({ topics: specs.map((s) => s.name) }).catch(() => {});
    await cleanup.disconnect();
  });
  const env = testEnv();
  const config = loadConfig(baseEnvSchema, {
    KAFKA_BROKERS: env.brokers.join(','),
    SCHEMA_REGISTRY_URL: env.registryUrl,
    HEALSTREAM_TOPIC_PREFIX: prefix,
    HEALSTREAM_PARTITIONS: String(partitions),
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
  });
  return { prefix, config, topic: (logical) => `${prefix}${logical}` };
}

export const freshRegistry = (service: string) => createRegistry(service, false);
