/**
 * The kafkajs cases: raw consume with eachMessage and eachBatch, and consume → transform →
 * produce in a transaction the way packages/runtime/src/transactional-loop.ts does it: one
 * transactional producer per partition number (`<group>:<p>`), because kafkajs sends no group
 * generation with its transactional offsets and the transactional id is what fences a zombie.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { FETCH, stopwatch, transform, type CaseResult, type CaseTarget } from './shape.js';

function client(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'bench-clients', brokers, logLevel: logLevel.NOTHING });
}

function consumerOptions(groupId: string) {
  return {
    groupId,
    maxWaitTimeInMs: FETCH.maxWaitMs,
    maxBytes: FETCH.maxBytes,
    maxBytesPerPartition: FETCH.maxBytesPerPartition,
  };
}

/** eachMessage: the ordinary way to consume with kafkajs, one callback per record. */
export async function kafkajsEachMessage(target: CaseTarget): Promise<CaseResult> {
  const consumer = client(target.brokers).consumer(consumerOptions(target.group));
  await consumer.connect();
  await consumer.subscribe({ topic: target.input, fromBeginning: true });
  const watch = stopwatch(target.records);
  await consumer.run({
    eachMessage: async () => {
      watch.tick(1);
    },
  });
  await watch.finished;
  await consumer.disconnect();
  return watch.result();
}

/** eachBatch: one callback per fetched partition batch. */
export async function kafkajsEachBatch(target: CaseTarget): Promise<CaseResult> {
  const consumer = client(target.brokers).consumer(consumerOptions(target.group));
  await consumer.connect();
  await consumer.subscribe({ topic: target.input, fromBeginning: true });
  const watch = stopwatch(target.records);
  await consumer.run({
    eachBatch: async ({ batch }) => {
      watch.tick(batch.messages.length);
    },
  });
  await watch.finished;
  await consumer.disconnect();
  return watch.result();
}

/**
 * Read committed; per fetched partition batch one transaction of that partition's producer:
 * the transformed records to the same partition number of the output, the input offset, commit.
 * Partitions run three at a time, as the runtime's loop does by default.
 */
export async function kafkajsTransactional(
  target: CaseTarget,
  partitions: number,
): Promise<CaseResult> {
  const kafka = client(target.brokers);
  const producers = new Map<number, Producer>();
  // Opened before the first record, as the loop opens a partition when it is assigned.
  for (let p = 0; p < partitions; p++) {
    const producer = kafka.producer({
      transactionalId: `${target.group}:${p}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    producers.set(p, producer);
  }
  const consumer = kafka.consumer({ ...consumerOptions(target.group), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: target.input, fromBeginning: true });
  const watch = stopwatch(target.records);
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const { partition, messages } = batch;
      const last = messages[messages.length - 1];
      if (!last) return;
      watch.started();
      const producer = producers.get(partition);
      if (!producer) throw new Error(`kafkajs case: no producer for partition ${partition}`);
      const tx = await producer.transaction();
      try {
        await tx.send({
          topic: target.output,
          acks: -1,
          messages: messages.map((m) => ({ key: m.key, value: transform(m.value), partition })),
        });
        await tx.sendOffsets({
          consumerGroupId: target.group,
          topics: [
            {
              topic: target.input,
              partitions: [{ partition, offset: (BigInt(last.offset) + 1n).toString() }],
            },
          ],
        });
        await tx.commit();
      } catch (error) {
        await tx.abort().catch(() => {});
        throw error;
      }
      resolveOffset(last.offset);
      await heartbeat();
      watch.tick(messages.length);
    },
  });
  await watch.finished;
  await consumer.disconnect();
  await Promise.all([...producers.values()].map((p) => p.disconnect()));
  return watch.result();
}
