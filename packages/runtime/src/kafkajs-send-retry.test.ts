import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs' own send path, as patched in patches/kafkajs@2.2.4.patch: a send to partitions led by
// two brokers makes one request per broker. When one of them failed with a retriable error while
// the other's produce was still in flight, the retry sent that other batch again with the next
// sequence number, and the broker wrote the same records twice in one transaction (seen by the
// chaos suite's three-broker scenario as a decision and a command written twice).
const require = createRequire(import.meta.url);
const createSendMessages = require('kafkajs/src/producer/sendMessages.js') as (
  options: unknown,
) => (request: unknown) => Promise<unknown[]>;
const createRetry = require('kafkajs/src/retry/index.js') as (options: unknown) => unknown;
const { KafkaJSProtocolError } = require('kafkajs/src/errors.js') as {
  KafkaJSProtocolError: new (e: {
    message: string;
    type: string;
    code: number;
    retriable: boolean;
  }) => Error;
};

interface FakeBroker {
  nodeId: number;
  produced: { partition: number; firstSequence: number; count: number }[];
  produce(request: {
    topicData: {
      topic: string;
      partitions: { partition: number; firstSequence: number; messages: unknown[] }[];
    }[];
  }): Promise<unknown>;
}

function twoBrokerCluster(produceDelayMs: number) {
  const brokers: FakeBroker[] = [0, 1].map((nodeId) => ({
    nodeId,
    produced: [] as FakeBroker['produced'],
    async produce({ topicData }) {
      // Broker 1 answers slowly: its request is still in flight when broker 0's fails.
      if (nodeId === 1) await new Promise((resolve) => setTimeout(resolve, produceDelayMs));
      for (const { partitions } of topicData)
        for (const p of partitions)
          this.produced.push({
            partition: p.partition,
            firstSequence: p.firstSequence,
            count: p.messages.length,
          });
      return {
        topics: topicData.map(({ topic, partitions }) => ({
          topicName: topic,
          partitions: partitions.map((p) => ({
            partition: p.partition,
            errorCode: 0,
            baseOffset: '0',
          })),
        })),
      };
    },
  }));
  const cluster = {
    refreshMetadataIfNecessary: async () => {},
    refreshMetadata: async () => {},
    addMultipleTargetTopics: async () => {},
    isConnected: () => true,
    findTopicPartitionMetadata: () => [
      { partitionId: 0, leader: 0 },
      { partitionId: 1, leader: 1 },
    ],
    findLeaderForPartitions: (_topic: string, partitions: string[]) => {
      const byLeader: Record<string, number[]> = {};
      for (const p of partitions) (byLeader[p] ??= []).push(Number(p));
      return byLeader;
    },
    findBroker: async ({ nodeId }: { nodeId: string }) => brokers[Number(nodeId)],
  };
  return { brokers, cluster };
}

function transactionalEos() {
  const sequences = new Map<string, number>();
  const locks = new Map<unknown, Promise<void>>();
  const releases = new Map<unknown, () => void>();
  let addPartitionsCalls = 0;
  return {
    isTransactional: () => true,
    getTransactionalId: () => 'healstream-test',
    getProducerId: () => 7,
    getProducerEpoch: () => 0,
    getSequence: (topic: string, partition: number) => sequences.get(`${topic}:${partition}`) ?? 0,
    updateSequence: (topic: string, partition: number, increment: number) => {
      const key = `${topic}:${partition}`;
      sequences.set(key, (sequences.get(key) ?? 0) + increment);
    },
    async acquireBrokerLock(broker: unknown) {
      while (locks.has(broker)) await locks.get(broker);
      locks.set(broker, new Promise<void>((resolve) => releases.set(broker, resolve)));
    },
    async releaseBrokerLock(broker: unknown) {
      locks.delete(broker);
      releases.get(broker)?.();
    },
    async addPartitionsToTransaction(topicData: { partitions: { partition: number }[] }[]) {
      // Broker 0's partition is refused once, as a coordinator busy with the previous EndTxn is.
      const forBrokerZero = topicData.some((t) => t.partitions.some((p) => p.partition === 0));
      if (forBrokerZero && addPartitionsCalls++ === 0) {
        throw new KafkaJSProtocolError({
          message: 'There is already an ongoing transaction for this producer',
          type: 'CONCURRENT_TRANSACTIONS',
          code: 51,
          retriable: true,
        });
      }
    },
  };
}

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

describe('kafkajs transactional send across two brokers', () => {
  it('a retry after one broker failed sends only what that broker did not take', async () => {
    const { brokers, cluster } = twoBrokerCluster(40);
    const send = createSendMessages({
      logger: silentLogger,
      cluster,
      partitioner: ({ message }: { message: { partition: number } }) => message.partition,
      eosManager: transactionalEos(),
      retrier: createRetry({ retries: 3, initialRetryTime: 5, maxRetryTime: 20 }),
    });
    await send({
      acks: -1,
      timeout: 1000,
      compression: 0,
      topicMessages: [
        {
          topic: 'healing-decisions',
          messages: [
            { partition: 0, key: 'a', value: 'x' },
            { partition: 1, key: 'b', value: 'y' },
          ],
        },
      ],
    });
    expect(brokers[0]?.produced).toEqual([{ partition: 0, firstSequence: 0, count: 1 }]);
    // Without the patch broker 1 got the batch twice: sequence 0 and then sequence 1.
    expect(brokers[1]?.produced).toEqual([{ partition: 1, firstSequence: 0, count: 1 }]);
  });
});
