import { describe, expect, it, onTestFinished } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { examples, type MetricSample } from '@healstream/contracts';
import { dlqHeaders } from './dead-letter.js';
import {
  createLogger,
  createRegistry,
  loopMetrics,
  type PartitionHandler,
} from '@healstream/runtime';
import { TransactionalLoop } from './transactional-loop.js';
import { lossyEndTxnSockets } from './broker-faults.test-support.js';
import {
  readTopic,
  testEnv,
  testKafka,
  testSerde,
  uniqueName,
  withTopics,
} from '@healstream/test-support/kafka';
import { waitUntil } from '@healstream/test-support/subprocess';

const sample = (value: number): MetricSample => ({
  ...examples.MetricSample,
  value,
  timestamp: examples.MetricSample.timestamp + value,
});

async function setUp() {
  const kafka = testKafka();
  const serde = testSerde();
  const input = uniqueName('in');
  const output = uniqueName('out');
  const groupId = uniqueName('group');
  await withTopics(kafka, [
    { name: input },
    // Small enough that a test can write a record the broker refuses for good.
    { name: output, config: { 'max.message.bytes': '4096' } },
    { name: `${input}.dlq` },
  ]);
  await serde.registerTopic(input, 'MetricSample');
  await serde.registerTopic(output, 'MetricSample');
  const send = async (values: number[]) => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: values.map((v) => ({ key: 'payments', value: serde.encode(input, sample(v)) })),
    });
    await producer.disconnect();
  };
  const outputs = async (count: number) => {
    const messages = await readTopic(kafka, output, {
      until: (m) => m.length >= count,
      settleMs: 1500,
      timeoutMs: 45_000,
    });
    return Promise.all(
      messages.map(async (m) => (await serde.decode<MetricSample>(m.value, 'MetricSample')).value),
    );
  };
  const times10 = (): PartitionHandler => ({
    handle(record, emit) {
      const value = record.value as MetricSample;
      emit({ topic: output, key: 'payments', value: { ...value, value: value.value * 10 } });
    },
  });
  const startLoop = async (
    loopKafka: Kafka,
    open: () => Promise<PartitionHandler> | PartitionHandler,
  ) => {
    const registry = createRegistry('test', false);
    const metrics = loopMetrics(registry);
    const loop = new TransactionalLoop({
      kafka: loopKafka,
      serde,
      logger: createLogger('test', process.env['TEST_LOG_LEVEL'] ?? 'silent'),
      metrics,
      service: 'test-service',
      groupId,
      inputs: [{ logical: 'metrics', topic: input, record: 'MetricSample' }],
      outputs: [{ topic: output, record: 'MetricSample' }],
      open,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    await loop.start();
    onTestFinished(() => loop.stop());
    return { loop, metrics };
  };
  return { kafka, serde, input, output, groupId, send, outputs, times10, startLoop };
}

describe('transactional loop when the broker misbehaves', () => {
  it('recovers a partition whose commit was lost with its connection, and outputs nothing twice', async () => {
    const t = await setUp();
    const faults = lossyEndTxnSockets();
    const lossy = new Kafka({
      clientId: 'healstream-test-lossy',
      brokers: testEnv().brokers,
      logLevel: logLevel.NOTHING,
      socketFactory: faults.socketFactory,
    });
    let opened = 0;
    const { loop, metrics } = await t.startLoop(lossy, () => {
      opened++;
      return t.times10();
    });
    await t.send([1, 2, 3]);
    expect(await t.outputs(3)).toEqual([10, 20, 30]);

    // The commit of the next transaction reaches the broker, its answer never comes back:
    // kafkajs leaves that producer in COMMITTING for good.
    faults.failNextEndTxn();
    await t.send([4, 5, 6]);
    expect(await t.outputs(6)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(faults.failed()).toBe(1);
    // ...and the partition keeps processing after that (on a wedged producer it never would).
    await t.send([7]);
    expect(await t.outputs(7)).toEqual([10, 20, 30, 40, 50, 60, 70]);
    // It was reopened once, with a new producer.
    expect(opened).toBe(2);
    const resets = (await metrics.transactionAborts.get()).values.find(
      (v) => v.labels['reason'] === 'producer-reset',
    );
    expect(resets?.value).toBe(1);
    expect(loop.isReady()).toBe(true);
  });

  it('recovers a partition whose commit never reached the broker: its open transaction is aborted and its input processed again', async () => {
    const t = await setUp();
    const faults = lossyEndTxnSockets();
    const lossy = new Kafka({
      clientId: 'healstream-test-lossy',
      brokers: testEnv().brokers,
      logLevel: logLevel.NOTHING,
      socketFactory: faults.socketFactory,
    });
    const handled: number[] = [];
    await t.startLoop(lossy, () => ({
      handle(record, emit) {
        const value = record.value as MetricSample;
        handled.push(value.value);
        emit({ topic: t.output, key: 'payments', value: { ...value, value: value.value * 10 } });
      },
    }));
    await t.send([1]);
    expect(await t.outputs(1)).toEqual([10]);
    faults.failNextEndTxn('before-sending');
    await t.send([2]);
    await t.send([3]);
    expect(await t.outputs(3)).toEqual([10, 20, 30]);
    expect(faults.failed()).toBe(1);
    // Record 2's first transaction never ended: the new producer aborted it, and 2 ran again.
    expect(handled.filter((v) => v === 2).length).toBeGreaterThanOrEqual(2);
  });

  it('fences the previous owner before reading the committed offsets, so its late commit cannot be replayed', async () => {
    const t = await setUp();
    await t.send([1]);
    // A previous owner of partition 0 that has processed record 0 but not yet committed.
    const zombie = t.kafka.producer({
      transactionalId: `${t.groupId}:0`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await zombie.connect();
    onTestFinished(() => zombie.disconnect());
    const tx = await zombie.transaction();
    await tx.send({
      topic: t.output,
      messages: [{ key: 'payments', value: t.serde.encode(t.output, sample(10)), partition: 0 }],
    });
    await tx.sendOffsets({
      consumerGroupId: t.groupId,
      topics: [{ topic: t.input, partitions: [{ partition: 0, offset: '1' }] }],
    });
    let zombieCommit: 'committed' | 'fenced' | undefined;
    await t.startLoop(t.kafka, async () => {
      // The new owner has read the committed offsets by now; the old one tries to commit.
      zombieCommit ??= await tx.commit().then(
        () => 'committed' as const,
        () => 'fenced' as const,
      );
      return t.times10();
    });
    expect(await t.outputs(1)).toEqual([10]);
    expect(zombieCommit).toBe('fenced');
  });

  it('halts a partition whose transaction the broker refuses for good, dead-letters its record, and does not retry it', async () => {
    const t = await setUp();
    let handled = 0;
    const { loop, metrics } = await t.startLoop(t.kafka, () => ({
      handle(record, emit) {
        handled++;
        const value = record.value as MetricSample;
        // Value 2's output is larger than the output topic takes: MESSAGE_TOO_LARGE.
        const labels = value.value === 2 ? { blob: 'x'.repeat(8000) } : value.labels;
        emit({ topic: t.output, key: 'payments', value: { ...value, labels } });
      },
    }));
    await t.send([1]);
    await waitUntil('the first record handled', () => handled === 1, 30_000);
    await t.send([2]);
    const letters = await readTopic(t.kafka, `${t.input}.dlq`, { until: (m) => m.length >= 1 });
    expect(letters[0]?.headers?.[dlqHeaders.errorCode]?.toString()).toBe('OUTPUT_REJECTED');
    expect(letters[0]?.headers?.[dlqHeaders.offset]?.toString()).toBe('1');
    await waitUntil('not ready', () => !loop.isReady(), 10_000);
    expect(loop.haltedPartitions()).toEqual([0]);
    const halted = (await metrics.partitionHalted.get()).values.find(
      (v) => v.labels['partition'] === '0',
    );
    expect(halted?.value).toBe(1);
    // Halted, not retried: the refused record was handled once, and later input waits.
    await t.send([3]);
    expect(await t.outputs(1)).toEqual([1]);
    expect(handled).toBe(2);
  });
});
