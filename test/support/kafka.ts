import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { inject, onTestFinished } from 'vitest';
import { RegistryClient, Serde } from '@healstream/contracts';
import { quietKafkajsTimerWarnings, waitForLeaders } from '@healstream/runtime';

export function testEnv(): { brokers: string[]; registryUrl: string } {
  return { brokers: inject('kafkaBrokers').split(','), registryUrl: inject('schemaRegistryUrl') };
}

export function uniqueName(prefix: string): string {
  return `test.${prefix}.${randomBytes(4).toString('hex')}`;
}

export function testKafka(clientId = 'healstream-test'): Kafka {
  quietKafkajsTimerWarnings();
  return new Kafka({ clientId, brokers: testEnv().brokers, logLevel: logLevel.NOTHING });
}

export function testSerde(): Serde {
  return new Serde(new RegistryClient(testEnv().registryUrl));
}

/** Creates topics for one test and deletes them when it finishes. */
export async function withTopics(
  kafka: Kafka,
  topics: {
    name: string;
    partitions?: number;
    compact?: boolean;
    /** Other topic configs, e.g. `{ 'max.message.bytes': '1024' }`. */
    config?: Record<string, string>;
  }[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: false, // see waitForLeaders: kafkajs' own wait fails on a busy broker
    topics: topics.map((t) => ({
      topic: t.name,
      numPartitions: t.partitions ?? 1,
      configEntries: [
        ...(t.compact ? [{ name: 'cleanup.policy', value: 'compact' }] : []),
        ...Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
      ],
    })),
  });
  await waitForLeaders(
    admin,
    topics.map((t) => t.name),
  );
  await admin.disconnect();
  onTestFinished(async () => {
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteTopics({ topics: topics.map((t) => t.name) }).catch(() => {});
    await cleanup.disconnect();
  });
}

/**
 * Reads a topic from the beginning until `until` says enough (or the timeout passes), with
 * read-committed isolation unless asked otherwise. Returns every message seen.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: {
    until: (messages: KafkaMessage[]) => boolean;
    timeoutMs?: number;
    readUncommitted?: boolean;
    settleMs?: number;
  },
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({
    groupId: uniqueName('reader'),
    readUncommitted: options.readUncommitted ?? false,
    maxWaitTimeInMs: 100,
  });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out reading ${topic}: ${messages.length} messages seen`)),
        options.timeoutMs ?? 30_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (options.until(messages)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    // Let anything that should not be there arrive, so tests can assert on exact counts.
    if (options.settleMs) await sleep(options.settleMs);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
