/**
 * A chunk's transaction retried, whole, on retriable failures (a sink or the registry down), with
 * backoff — and given up when the group rebalances, so the member rejoins in time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from './backoff.js';
import { attemptChunk, type Chunk } from './chunk-transaction.js';
import type { TransactionalLoopOptions } from './loop-types.js';
import {
  FencedError,
  PermanentKafkaError,
  ProducerWedgedError,
  isRebalance,
} from './transaction-errors.js';

/**
 * One transaction over the chunk, retried on retriable failures. True once committed, false if
 * `keepGoing` turned false first. Throws what the partition must act on (FencedError,
 * ProducerWedgedError, PermanentKafkaError), and a heartbeat's rebalance error.
 */
export async function processChunk(
  options: TransactionalLoopOptions,
  now: () => number,
  chunk: Chunk,
  heartbeat: () => Promise<void>,
  keepGoing: () => boolean,
): Promise<boolean> {
  const { metrics, logger } = options;
  const { topic } = chunk.input;
  const { partition } = chunk.part;
  for (let attempt = 0; ; attempt++) {
    if (!keepGoing()) return false;
    try {
      await attemptChunk(options, now, chunk);
      return true;
    } catch (outcome) {
      if (
        outcome instanceof FencedError ||
        outcome instanceof ProducerWedgedError ||
        outcome instanceof PermanentKafkaError
      )
        throw outcome;
      metrics.transactionAborts.inc({ topic, reason: 'retriable' });
      const delay = backoffDelay(attempt, options.backoff);
      logger.warn(
        { topic, partition, attempt, delayMs: delay, err: outcome },
        'transaction aborted; retrying',
      );
      if (!(await backoffWait(delay, heartbeat, keepGoing))) return false;
    }
  }
}

/**
 * Waits out a retry's backoff, heartbeating so the member keeps its session. A heartbeat saying
 * the group rebalances (or no longer knows the member) ends the wait by throwing that error: the
 * attempt is already aborted and nothing was resolved, and kafkajs rejoins only once eachBatch
 * returns. Waiting on instead would hold the whole group up to its rebalance timeout, and then
 * the group would expel a member that still processes — a zombie its next owner must fence.
 */
async function backoffWait(
  delayMs: number,
  heartbeat: () => Promise<void>,
  keepGoing: () => boolean,
): Promise<boolean> {
  const until = Date.now() + delayMs;
  while (Date.now() < until) {
    if (!keepGoing()) return false;
    await sleep(Math.min(1000, until - Date.now()));
    try {
      await heartbeat();
    } catch (error) {
      if (isRebalance(error)) throw error;
    }
  }
  return true;
}
