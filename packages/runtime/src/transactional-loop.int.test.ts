import { describe, expect, it, onTestFinished } from 'vitest';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  examples,
  frame,
  PoisonRecordError,
  TransientError,
  type MetricSample,
} from '@healstream/contracts';
import {
  createLogger,
  createRegistry,
  dlqHeaders,
  loopMetrics,
  type PartitionHandler,
} from '@healstream/runtime';
import { TransactionalLoop } from './transactional-loop.js';
import {
  readTopic,
  testKafka,
  testSerde,
  uniqueName,
  withTopics,
} from '@healstream/test-support/kafka';

const header = (headers: IHeaders | undefined, name: string) => headers?.[name]?.toString();

async function startLoop(options: {
  input: string;
  output: string;
  groupId: string;
  handler: () => PartitionHandler;
  sendEvery?: number;
}) {
  const kafka = testKafka();
  const serde = testSerde();
  const registry = createRegistry('test', false);
  const metrics = loopMetrics(registry);
  const loop = new TransactionalLoop({
    kafka,
    serde,
    logger: createLogger('test', process.env['TEST_LOG_LEVEL'] ?? 'silent'),
    metrics,
    service: 'test-service',
    groupId: options.groupId,
    inputs: [{ logical: 'metrics', topic: options.input, record: 'MetricSample' }],
    outputs: [{ topic: options.output, record: 'MetricSample' }],
    open: () => options.handler(),
    backoff: { initialMs: 50, maxMs: 200 },
    ...(options.sendEvery ? { sendEvery: options.sendEvery } : {}),
  });
  await loop.start();
  onTestFinished(() => loop.stop());
  return { loop, metrics, registry };
}

const sample = (value: number): MetricSample => ({
  ...examples.MetricSample,
  value,
  timestamp: examples.MetricSample.timestamp + value,
});

describe('transactional loop against the real broker', () => {
  it('dead-letters bad framing, unknown schema ids and rejected records with their bytes and headers, and keeps flowing', async () => {
    const kafka = testKafka();
    const input = uniqueName('in');
    const output = uniqueName('out');
    await withTopics(kafka, [{ name: input }, { name: output }, { name: `${input}.dlq` }]);
    const serde = testSerde();
    await serde.registerTopic(input, 'MetricSample');
    await serde.registerTopic(output, 'MetricSample');

    const badFraming = Buffer.from('{"component":"payments"}');
    const unknownSchema = frame(0x7ffffff0, Buffer.from([1, 2, 3]));
    const rejected = serde.encode(input, sample(-1));
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: [
        { key: 'payments', value: serde.encode(input, sample(1)) },
        { key: 'payments', value: badFraming, headers: { 'x-origin': 'legacy-agent' } },
        { key: 'payments', value: serde.encode(input, sample(2)) },
        { key: 'checkout', value: unknownSchema },
        { key: 'payments', value: serde.encode(input, sample(3)) },
        { key: 'search', value: rejected, headers: { 'x-origin': 'test' } },
        { key: 'payments', value: serde.encode(input, sample(4)) },
      ],
    });
    await producer.disconnect();

    const { metrics } = await startLoop({
      input,
      output,
      groupId: uniqueName('group'),
      handler: () => ({
        handle(record, emit) {
          const value = record.value as MetricSample;
          if (value.value < 0)
            throw new PoisonRecordError('HANDLER_REJECTED', `negative value ${value.value}`);
          emit({
            topic: output,
            key: record.key ?? '',
            value: { ...value, value: value.value * 10 },
          });
        },
      }),
    });

    const outputs = await readTopic(kafka, output, { until: (m) => m.length >= 4, settleMs: 500 });
    const letters = await readTopic(kafka, `${input}.dlq`, {
      until: (m) => m.length >= 3,
      settleMs: 500,
    });
    const decoded = await Promise.all(
      outputs.map((m) => serde.decode<MetricSample>(m.value, 'MetricSample')),
    );
    expect(decoded.map((s) => s.value)).toEqual([10, 20, 30, 40]);

    expect(letters).toHaveLength(3);
    const [framing, unknown, handler] = letters as [KafkaMessage, KafkaMessage, KafkaMessage];
    expect(framing.value).toEqual(badFraming);
    expect(framing.key?.toString()).toBe('payments');
    expect(header(framing.headers, 'x-origin')).toBe('legacy-agent');
    expect(header(framing.headers, dlqHeaders.errorCode)).toBe('BAD_FRAMING');
    expect(header(framing.headers, dlqHeaders.offset)).toBe('1');
    expect(unknown.value).toEqual(unknownSchema);
    expect(header(unknown.headers, dlqHeaders.errorCode)).toBe('UNKNOWN_SCHEMA');
    expect(handler.value).toEqual(rejected);
    expect(handler.key?.toString()).toBe('search');
    expect(header(handler.headers, 'x-origin')).toBe('test');
    for (const letter of letters) {
      expect(header(letter.headers, dlqHeaders.topic)).toBe(input);
      expect(header(letter.headers, dlqHeaders.partition)).toBe('0');
      expect(header(letter.headers, dlqHeaders.service)).toBe('test-service');
      expect(header(letter.headers, dlqHeaders.timestamp)).toMatch(/^\d+$/);
      expect(header(letter.headers, dlqHeaders.errorClass)).toBeTruthy();
      expect(header(letter.headers, dlqHeaders.errorMessage)).toBeTruthy();
    }
    expect(header(handler.headers, dlqHeaders.errorMessage)).toBe('negative value -1');
    expect(header(handler.headers, dlqHeaders.offset)).toBe('5');

    // Every record in is accounted for: out + dead-lettered.
    const recordsIn = (await metrics.recordsIn.get()).values.reduce((n, v) => n + v.value, 0);
    const dead = (await metrics.deadLetters.get()).values.reduce((n, v) => n + v.value, 0);
    expect(recordsIn).toBe(7);
    expect(recordsIn).toBe(outputs.length + dead);
  });

  it('leaves no visible output from a transaction aborted midway, and processes its input again', async () => {
    const kafka = testKafka();
    const input = uniqueName('in');
    const output = uniqueName('out');
    await withTopics(kafka, [{ name: input }, { name: output }, { name: `${input}.dlq` }]);
    const serde = testSerde();
    await serde.registerTopic(input, 'MetricSample');
    await serde.registerTopic(output, 'MetricSample');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: [1, 2, 3, 4, 5].map((v) => ({
        key: 'payments',
        value: serde.encode(input, sample(v)),
      })),
    });
    await producer.disconnect();

    const seen: number[] = [];
    let failed = false;
    await startLoop({
      input,
      output,
      groupId: uniqueName('group'),
      sendEvery: 1, // outputs reach the broker record by record, inside the transaction
      handler: () => ({
        handle(record, emit) {
          const value = (record.value as MetricSample).value;
          seen.push(value);
          if (value === 3 && !failed) {
            failed = true;
            throw new TransientError('SINK_UNAVAILABLE', 'sink down for a moment');
          }
          emit({
            topic: output,
            key: 'payments',
            value: { ...(record.value as MetricSample), value: value * 10 },
          });
        },
      }),
    });

    const committed = await readTopic(kafka, output, {
      until: (m) => m.length >= 5,
      settleMs: 1000,
    });
    const values = await Promise.all(
      committed.map(async (m) => (await serde.decode<MetricSample>(m.value, 'MetricSample')).value),
    );
    expect(values).toEqual([10, 20, 30, 40, 50]);
    // The aborted attempt really wrote 10 and 20 before failing: a read-uncommitted reader sees them.
    const raw = await readTopic(kafka, output, {
      until: (m) => m.length >= 7,
      readUncommitted: true,
      settleMs: 500,
    });
    const rawValues = await Promise.all(
      raw.map(async (m) => (await serde.decode<MetricSample>(m.value, 'MetricSample')).value),
    );
    expect(rawValues).toEqual([10, 20, 10, 20, 30, 40, 50]);
    // ...and the input of the aborted transaction was processed again.
    expect(seen).toEqual([1, 2, 3, 1, 2, 3, 4, 5]);
  });
});
