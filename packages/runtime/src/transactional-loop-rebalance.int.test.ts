import { describe, expect, it, onTestFinished } from 'vitest';
import { examples, TransientError } from '@healstream/contracts';
import { createLogger, createRegistry, loopMetrics } from '@healstream/runtime';
import { TransactionalLoop } from './transactional-loop.js';
import { testKafka, testSerde, uniqueName, withTopics } from '@healstream/test-support/kafka';
import { waitUntil } from '@healstream/test-support/subprocess';

describe('a partition retrying a transient error', () => {
  it('gives its retry up when the group rebalances, so a joining member is assigned long before the rebalance timeout', async () => {
    const kafka = testKafka();
    const serde = testSerde();
    const input = uniqueName('in');
    await withTopics(kafka, [
      { name: input, partitions: 2 },
      { name: `${input}.dlq`, partitions: 2 },
    ]);
    await serde.registerTopic(input, 'MetricSample');
    const groupId = uniqueName('group');
    const logger = createLogger('test', process.env['TEST_LOG_LEVEL'] ?? 'silent');
    let attempts = 0;
    const loop = (name: string) =>
      new TransactionalLoop({
        kafka,
        serde,
        logger: logger.child({ instance: name }),
        metrics: loopMetrics(createRegistry('test', false)),
        service: 'test-service',
        groupId,
        inputs: [{ logical: 'metrics', topic: input, record: 'MetricSample' }],
        outputs: [],
        // The sink this handler stands for is down for the whole test.
        open: () => ({
          handle: () => {
            attempts++;
            throw new TransientError('SINK_UNAVAILABLE', 'the sink is down');
          },
        }),
        // Long enough that a retry is always waiting when the rebalance starts.
        backoff: { initialMs: 4000, maxMs: 4000 },
        partitionsConsumedConcurrently: 2,
      });
    const first = loop('first');
    void first.start();
    onTestFinished(() => first.stop());
    await waitUntil('the first member ready', () => first.isReady(), 30_000);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: [0, 1].map((partition) => ({
        partition,
        key: 'payments',
        value: serde.encode(input, examples.MetricSample),
      })),
    });
    await producer.disconnect();
    await waitUntil('both partitions retrying', () => attempts >= 2, 30_000);

    const joinedAt = Date.now();
    const second = loop('second');
    void second.start();
    onTestFinished(() => second.stop());
    // Without giving the retry up the first member rejoins only when the group's 60 s
    // rebalance timeout expels it; heartbeats come every 3 s, so a rejoin takes a few seconds.
    await waitUntil(
      'the second member assigned',
      () => second.assignedPartitions().length > 0,
      30_000,
    );
    const seconds = (Date.now() - joinedAt) / 1000;
    expect(seconds).toBeLessThan(20);
    // The first member stayed in the group (it was not expelled) and kept the other partition.
    expect(first.assignedPartitions()).toHaveLength(1);
    expect(second.assignedPartitions()).toHaveLength(1);
    // And it goes on retrying its own partition after the rebalance.
    const before = attempts;
    await waitUntil('retries go on', () => attempts > before, 30_000);
  }, 90_000);
});
