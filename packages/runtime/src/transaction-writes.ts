/** Writing through a partition's transactional producer, and what a failed transaction means. */
import type { Message, Producer, Transaction } from 'kafkajs';
import type { Serde } from '@healstream/contracts';
import type { LoopMetrics } from './metrics.js';
import type { Outbound } from './loop-types.js';
import { isFenced, transactionOutcome } from './transaction-errors.js';

/** An output as a kafkajs message: Avro-encoded unless raw, on the input's partition by default. */
export function encodeOutbound(serde: Serde, out: Outbound, partition: number): Message {
  return {
    key: out.key,
    value: 'raw' in out ? out.raw : serde.encode(out.topic, out.value),
    partition: out.partition ?? partition,
    ...(out.headers ? { headers: out.headers } : {}),
  };
}

/**
 * After a failed transaction: aborts it when it is still open and says what the caller must
 * do: FencedError (let the partition go), ProducerWedgedError (reopen it), PermanentKafkaError
 * (halt it), or the error itself (retry on the same producer).
 */
export async function endFailed(
  tx: Transaction | undefined,
  ending: boolean,
  error: unknown,
): Promise<unknown> {
  let abort: 'not needed' | 'done' | 'fenced' | 'failed' = 'not needed';
  if (!ending && tx?.isActive()) {
    abort = await tx.abort().then(
      () => 'done' as const,
      (abortError: unknown) => (isFenced(abortError) ? 'fenced' : 'failed'),
    );
  }
  return transactionOutcome(error, ending, abort);
}

/**
 * Commits records in one transaction of the producer, outside any consumed input. A failure
 * throws what `endFailed` makes of it.
 */
export async function commitRecords(
  producer: Producer,
  partition: number,
  records: Outbound[],
  serde: Serde,
  metrics: LoopMetrics,
): Promise<void> {
  const tx = await producer.transaction();
  let ending = false;
  try {
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic) ?? [];
      list.push(encodeOutbound(serde, r, partition));
      byTopic.set(r.topic, list);
    }
    await tx.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      acks: -1,
    });
    ending = true;
    await tx.commit();
    for (const [topic, messages] of byTopic) metrics.recordsOut.inc({ topic }, messages.length);
  } catch (error) {
    throw await endFailed(tx, ending, error);
  }
}
