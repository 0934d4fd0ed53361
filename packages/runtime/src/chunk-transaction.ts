/**
 * One transaction over a chunk of one input partition: decode, handle, dead-letter what cannot
 * be handled, send the outputs, the handler's last records and the input offsets, commit.
 */
import type { KafkaMessage, Message, Transaction } from 'kafkajs';
import { isRetriable } from '@healstream/contracts';
import { deadLetter, errorCode } from './dead-letter.js';
import type { Emit, LoopInput, OpenPartition, TransactionalLoopOptions } from './loop-types.js';
import { encodeOutbound, endFailed } from './transaction-writes.js';

export interface Chunk {
  part: OpenPartition;
  input: LoopInput;
  messages: KafkaMessage[];
  /** The input offset committed with the chunk: the next one to read. */
  next: bigint;
}

/** Outputs of a transaction, sent to the broker in batches. */
class Outputs {
  private buffered: Record<string, Message[]> = {};
  readonly counts: Record<string, number> = {};

  push(topic: string, message: Message): void {
    (this.buffered[topic] ??= []).push(message);
    this.counts[topic] = (this.counts[topic] ?? 0) + 1;
  }

  async flush(tx: Transaction): Promise<void> {
    const topicMessages = Object.entries(this.buffered).map(([topic, messages]) => ({
      topic,
      messages,
    }));
    this.buffered = {};
    if (topicMessages.length > 0) await tx.sendBatch({ topicMessages, acks: -1 });
  }
}

/**
 * Runs the chunk's transaction once. On failure the transaction is aborted (when still open), the
 * handler told, and what the failure means is thrown: FencedError, ProducerWedgedError,
 * PermanentKafkaError, or the retriable error itself.
 */
export async function attemptChunk(
  options: TransactionalLoopOptions,
  now: () => number,
  { part, input, messages, next }: Chunk,
): Promise<void> {
  const { serde, metrics, logger, service, groupId } = options;
  const { partition } = part;
  const { topic, logical, record } = input;
  const sendEvery = options.sendEvery ?? 200;
  const timer = metrics.processingSeconds.startTimer({ topic });
  const outputs = new Outputs();
  let tx: Transaction | undefined;
  let dead = 0;
  let ending = false;
  try {
    tx = await part.producer.transaction();
    // One record's outputs, kept apart until it is handled: a record that fails emits nothing.
    // Reused from record to record, as is the closure that fills it.
    const staged: { topic: string; message: Message }[] = [];
    const emit: Emit = (out) =>
      staged.push({ topic: out.topic, message: encodeOutbound(serde, out, partition) });
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i] as KafkaMessage;
      staged.length = 0;
      try {
        // Decoded at once when the writer's schema is known: no promise per record.
        const value =
          record === 'raw'
            ? message.value
            : (serde.decodeKnown<unknown>(message.value, record) ??
              (await serde.decode<unknown>(message.value, record)));
        const handled = part.handler.handle(
          {
            logical,
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value,
            timestamp: Number(message.timestamp),
            headers: message.headers,
          },
          emit,
        );
        // A handler that returns at once costs no extra turn of the microtask queue.
        if (handled) await handled;
      } catch (error) {
        if (isRetriable(error)) throw error;
        staged.length = 0;
        staged.push(deadLetter(message, error, { topic, partition, service, now: now() }));
        dead++;
        metrics.deadLetters.inc({ topic, code: errorCode(error) });
        logger.warn(
          { topic, partition, offset: message.offset, code: errorCode(error), err: error },
          'record dead-lettered',
        );
      }
      for (const s of staged) outputs.push(s.topic, s.message);
      if ((i + 1) % sendEvery === 0) await outputs.flush(tx);
    }
    part.handler.beforeCommit?.((out) =>
      outputs.push(out.topic, encodeOutbound(serde, out, partition)),
    );
    // The last outputs and the input offsets go at once: AddPartitionsToTxn and the produce to
    // the partition leaders alongside AddOffsetsToTxn and TxnOffsetCommit to the coordinators,
    // two round trips instead of four before EndTxn. Both are awaited whatever happens, so
    // nothing of this transaction is still in flight when it is committed or aborted.
    const sent = await Promise.allSettled([
      outputs.flush(tx),
      tx.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic, partitions: [{ partition, offset: next.toString() }] }],
      }),
    ]);
    for (const result of sent) if (result.status === 'rejected') throw result.reason;
    ending = true;
    await tx.commit();
    part.handler.committed?.();
    metrics.recordsIn.inc({ topic }, messages.length);
    for (const [t, n] of Object.entries(outputs.counts)) metrics.recordsOut.inc({ topic: t }, n);
    timer();
    if (dead > 0)
      logger.info({ topic, partition, dead }, 'transaction committed with dead letters');
  } catch (error) {
    const outcome = await endFailed(tx, ending, error);
    part.handler.aborted?.();
    throw outcome;
  }
}
