import { describe, expect, it } from 'vitest';
import type { KafkaMessage, Producer } from 'kafkajs';
import { TransientError } from '@healstream/contracts';
import { createLogger, createRegistry, loopMetrics } from '@healstream/runtime';
import { processChunk } from './chunk-retries.js';
import type { Chunk } from './chunk-transaction.js';
import type { TransactionalLoopOptions } from './loop-types.js';

/** A chunk whose every transaction fails with a transient error (a sink down, say). */
function failingChunk(): { chunk: Chunk; attempts: () => number; aborted: () => number } {
  let attempts = 0;
  let aborted = 0;
  const producer = {
    transaction: () => {
      attempts++;
      return Promise.reject(new TransientError('SINK_UNAVAILABLE', 'the sink is down'));
    },
  } as unknown as Producer;
  return {
    chunk: {
      part: {
        partition: 0,
        producer,
        handler: { handle: () => {}, aborted: () => void aborted++ },
        nextOffset: new Map(),
      },
      input: { logical: 'metrics', topic: 'in', record: 'raw' },
      messages: [{ offset: '0' } as KafkaMessage],
      next: 1n,
    },
    attempts: () => attempts,
    aborted: () => aborted,
  };
}

const options = {
  logger: createLogger('test', 'silent'),
  metrics: loopMetrics(createRegistry('test', false)),
  backoff: { initialMs: 1500, maxMs: 1500 },
} as unknown as TransactionalLoopOptions;

describe('processChunk', () => {
  it('gives a retry up, throwing the heartbeat’s error, when the group rebalances', async () => {
    const { chunk, attempts, aborted } = failingChunk();
    const rebalancing = Object.assign(new Error('The group is rebalancing'), {
      type: 'REBALANCE_IN_PROGRESS',
    });
    const heartbeat = () => Promise.reject(rebalancing);
    await expect(processChunk(options, Date.now, chunk, heartbeat, () => true)).rejects.toBe(
      rebalancing,
    );
    expect(attempts()).toBe(1);
    expect(aborted()).toBe(1);
  });

  it('goes on retrying through other heartbeat failures, until told to stop', async () => {
    const { chunk, attempts } = failingChunk();
    const heartbeat = () => Promise.reject(new Error('connection closed'));
    const until = Date.now() + 4000;
    const stopped = await processChunk(
      options,
      Date.now,
      chunk,
      heartbeat,
      () => Date.now() < until,
    );
    expect(stopped).toBe(false);
    expect(attempts()).toBeGreaterThanOrEqual(2);
  });
});
