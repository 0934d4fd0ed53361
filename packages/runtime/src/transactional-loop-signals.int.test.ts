import { describe, expect, it, onTestFinished } from 'vitest';
import { examples, type MetricSample } from '@healstream/contracts';
import {
  createLogger,
  createRegistry,
  loopMetrics,
  type PartitionHandler,
} from '@healstream/runtime';
import { TransactionalLoop } from './transactional-loop.js';
import { testKafka, testSerde, uniqueName, withTopics } from '@healstream/test-support/kafka';
import { waitUntil } from '@healstream/test-support/subprocess';

const sample = (value: number): MetricSample => ({
  ...examples.MetricSample,
  value,
  timestamp: examples.MetricSample.timestamp + value,
});

async function setUp(handler: () => PartitionHandler) {
  const kafka = testKafka();
  const serde = testSerde();
  const input = uniqueName('in');
  const output = uniqueName('out');
  await withTopics(kafka, [{ name: input }, { name: output }, { name: `${input}.dlq` }]);
  await serde.registerTopic(input, 'MetricSample');
  await serde.registerTopic(output, 'MetricSample');
  const metrics = loopMetrics(createRegistry('test', false));
  const groupId = uniqueName('group');
  const loop = new TransactionalLoop({
    kafka,
    serde,
    logger: createLogger('test', process.env['TEST_LOG_LEVEL'] ?? 'silent'),
    metrics,
    service: 'test-service',
    groupId,
    inputs: [{ logical: 'metrics', topic: input, record: 'MetricSample' }],
    outputs: [{ topic: output, record: 'MetricSample' }],
    open: handler,
    stallMs: 1500,
    watchIntervalMs: 200,
  });
  await loop.start();
  onTestFinished(() => loop.stop());
  await waitUntil('the loop ready', () => loop.isReady(), 30_000);
  // Upstream stages write transactionally: each transaction ends with a marker record.
  const send = async (values: number[]) => {
    const producer = kafka.producer({
      transactionalId: uniqueName('upstream'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({
      topic: input,
      messages: values.map((v) => ({ key: 'payments', value: serde.encode(input, sample(v)) })),
    });
    await tx.commit();
    await producer.disconnect();
  };
  const gauge = async (metric: typeof metrics.consumerLag) =>
    (await metric.get()).values.find(
      (v) => v.labels['topic'] === input && v.labels['partition'] === '0',
    )?.value;
  const committed = async () => {
    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [input] });
    await admin.disconnect();
    return offsets?.partitions.find((p) => p.partition === 0)?.offset;
  };
  return { loop, metrics, send, gauge, output, committed };
}

describe('signals an operator can trust', () => {
  it('turns not ready, and says which partition, while a partition with input makes no progress', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let hold = true;
    const t = await setUp(() => ({
      async handle(_record, emit) {
        if (hold) await held;
        emit({ topic: t.output, key: 'payments', value: sample(1) });
      },
    }));
    await t.send([1]);
    await waitUntil('the partition stalled', () => !t.loop.isReady(), 30_000);
    expect(t.loop.stalledPartitions()).toEqual([0]);
    await waitUntil(
      'the stall metric',
      async () => (await t.gauge(t.metrics.partitionStalled)) === 1,
    );
    hold = false;
    release();
    await waitUntil('ready again', () => t.loop.isReady(), 30_000);
    expect(t.loop.stalledPartitions()).toEqual([]);
    await waitUntil(
      'the stall metric cleared',
      async () => (await t.gauge(t.metrics.partitionStalled)) === 0,
    );
  });

  it('reports no lag for a caught-up partition whose input ends with transaction markers', async () => {
    let handled = 0;
    const t = await setUp(() => ({
      handle(_record, emit) {
        handled++;
        emit({ topic: t.output, key: 'payments', value: sample(1) });
      },
    }));
    await t.send([1, 2]);
    await t.send([3]);
    await waitUntil('the input handled', () => handled === 3, 30_000);
    // Three records and two markers: the group commits past the last marker...
    await waitUntil('offset 5 committed', async () => (await t.committed()) === '5', 10_000);
    // ...so the lag refreshed from the broker (last stable offset − committed) reads 0, not 1.
    await waitUntil('lag 0', async () => (await t.gauge(t.metrics.consumerLag)) === 0, 10_000);
  });
});
