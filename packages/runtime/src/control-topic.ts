import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Serde, topicsFor, type ControlRecord } from '@healstream/contracts';
import type { BaseEnv } from './config.js';
import { createRegistryClient, partitioner } from './kafka-client.js';

/**
 * Writes an operator's lever to EVERY partition of the control topic (explicit partition, key
 * controlId), in one transaction: each policy-evaluator partition consumes control as one more
 * co-partitioned input and applies the record at one point of its own stream, and a failure
 * leaves no partition with it and another without. Returns the partitions written.
 */
export async function publishControl(
  kafka: Kafka,
  config: Pick<BaseEnv, 'HEALSTREAM_TOPIC_PREFIX' | 'SCHEMA_COMPATIBILITY'> &
    Parameters<typeof createRegistryClient>[0],
  record: ControlRecord,
  serde: Serde = new Serde(createRegistryClient(config), config.SCHEMA_COMPATIBILITY),
): Promise<number[]> {
  const { topic } = topicsFor(config.HEALSTREAM_TOPIC_PREFIX).control;
  await serde.registerTopic(topic, 'ControlRecord');
  const value = serde.encode(topic, record);
  const admin = kafka.admin();
  await admin.connect();
  let partitions: number[];
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    partitions = (metadata.topics[0]?.partitions ?? [])
      .map((p) => p.partitionId)
      .sort((a, b) => a - b);
  } finally {
    await admin.disconnect();
  }
  if (partitions.length === 0) throw new Error(`control topic ${topic} has no partitions`);
  const producer = kafka.producer({
    createPartitioner: partitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionalId: `healstream-control-${randomUUID()}`,
  });
  await producer.connect();
  try {
    const tx = await producer.transaction();
    try {
      await tx.send({
        topic,
        messages: partitions.map((partition) => ({
          key: record.controlId,
          value,
          partition,
          timestamp: String(record.createdAt),
        })),
      });
      await tx.commit();
    } catch (error) {
      await tx.abort().catch(() => {});
      throw error;
    }
  } finally {
    await producer.disconnect();
  }
  return partitions;
}
