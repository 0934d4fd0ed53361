import { describe, expect, it } from 'vitest';
import type { KafkaMessage, Producer } from 'kafkajs';
import { createLogger, createRegistry, loopMetrics } from '@healstream/runtime';
import { attemptChunk, type Chunk } from './chunk-transaction.js';
import type { Emit, TransactionalLoopOptions } from './loop-types.js';

/** A deferred promise: settled from outside. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A transaction whose produce and offsets are settled by the test, recording what was called
 * in which order.
 */
function fakeTransaction() {
  const calls: string[] = [];
  const produce = deferred();
  const offsets = deferred();
  let active = true;
  const tx = {
    sendBatch: () => {
      calls.push('sendBatch');
      return produce.promise;
    },
    sendOffsets: () => {
      calls.push('sendOffsets');
      return offsets.promise;
    },
    commit: async () => {
      calls.push('commit');
      active = false;
    },
    abort: async () => {
      calls.push('abort');
      active = false;
    },
    isActive: () => active,
  };
  const producer = { transaction: async () => tx } as unknown as Producer;
  return { calls, produce, offsets, producer };
}

function chunkOf(producer: Producer, outputs: number): Chunk {
  return {
    part: {
      partition: 0,
      producer,
      handler: {
        handle: (_record: unknown, emit: Emit) => {
          for (let i = 0; i < outputs; i++)
            emit({ topic: 'out', key: 'k', raw: Buffer.from('v'), partition: 0 });
        },
      },
      nextOffset: new Map(),
    },
    input: { logical: 'metrics', topic: 'in', record: 'raw' },
    messages: [{ offset: '0', value: Buffer.from('x'), timestamp: '0' } as KafkaMessage],
    next: 1n,
  } as unknown as Chunk;
}

const options = {
  logger: createLogger('test', 'silent'),
  metrics: loopMetrics(createRegistry('test', false)),
  groupId: 'g',
  service: 'test',
} as unknown as TransactionalLoopOptions;

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('attemptChunk', () => {
  it('sends the input offsets while the last outputs are still being produced', async () => {
    const { calls, produce, offsets, producer } = fakeTransaction();
    const attempt = attemptChunk(options, Date.now, chunkOf(producer, 1));
    await settle();
    // The produce has not been answered, and the offsets are already on their way.
    expect(calls).toEqual(['sendBatch', 'sendOffsets']);
    offsets.resolve();
    await settle();
    expect(calls).not.toContain('commit');
    produce.resolve();
    await attempt;
    expect(calls).toEqual(['sendBatch', 'sendOffsets', 'commit']);
  });

  it('aborts a failed transaction only once nothing of it is still in flight', async () => {
    const { calls, produce, offsets, producer } = fakeTransaction();
    const attempt = attemptChunk(options, Date.now, chunkOf(producer, 1));
    const failure = Object.assign(new Error('coordinator gone'), { retriable: true });
    await settle();
    offsets.reject(failure);
    await settle();
    // The produce is still in flight: no abort yet.
    expect(calls).toEqual(['sendBatch', 'sendOffsets']);
    produce.resolve();
    await expect(attempt).rejects.toBeDefined();
    expect(calls).toEqual(['sendBatch', 'sendOffsets', 'abort']);
  });

  it('commits a transaction without outputs after its offsets alone', async () => {
    const { calls, offsets, producer } = fakeTransaction();
    const attempt = attemptChunk(options, Date.now, chunkOf(producer, 0));
    await settle();
    expect(calls).toEqual(['sendOffsets']);
    offsets.resolve();
    await attempt;
    expect(calls).toEqual(['sendOffsets', 'commit']);
  });
});
