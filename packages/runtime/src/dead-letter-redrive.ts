import type { Kafka, KafkaMessage } from 'kafkajs';
import { HealstreamError } from '@healstream/contracts';
import { dlqHeaders } from './dead-letter.js';
import { partitioner } from './kafka-client.js';

/** A dead letter that may not be sent back (already redriven, out of turn, no origin header). */
export class RedriveRefusedError extends HealstreamError {
  constructor(message: string) {
    super('REDRIVE_REFUSED', message, { retriable: false });
  }
}

export interface RedriveOptions {
  /** The physical dead-letter topic. */
  dlqTopic: string;
  /** The group that keeps redrive progress: each dead letter is sent back once. */
  groupId: string;
  /** At most this many records (all pending when absent). */
  max?: number;
  /** Only this record, which must be the next pending one of its partition. */
  only?: { partition: number; offset: string };
  /** Silence after which there is nothing more to redrive. */
  idleMs?: number;
}

export interface RedriveReport {
  topic: string;
  redriven: number;
  /** `partition@offset` of each record sent back. */
  records: string[];
}

/** The group that keeps `healstream dlq redrive`'s progress (the console's redrive shares it). */
export function redriveGroupId(prefix: string): string {
  return `${prefix}dlq-redrive`;
}

function headerText(message: KafkaMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(message.headers ?? {}).map(([k, v]) => [
      k,
      (Array.isArray(v) ? v[0] : v)?.toString() ?? '',
    ]),
  );
}

/**
 * Sends dead letters back to the topic named in their origin header, same key and bytes, the
 * dead-letter headers dropped and `healstream.redriven.from` added. Progress is committed in
 * `groupId` record by record, so a record is sent back once however often this runs.
 */
export async function redriveDeadLetters(
  kafka: Kafka,
  options: RedriveOptions,
): Promise<RedriveReport> {
  const { dlqTopic: topic, only } = options;
  const max = only ? 1 : (options.max ?? Number.POSITIVE_INFINITY);
  const idleMs = options.idleMs ?? 3000;
  const producer = kafka.producer({ createPartitioner: partitioner, idempotent: true });
  const consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 200 });
  await producer.connect();
  await consumer.connect();
  const records: string[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let timer = setTimeout(
        () =>
          only
            ? reject(
                new RedriveRefusedError(
                  `${topic} partition ${only.partition} offset ${only.offset}: no such pending dead letter`,
                ),
              )
            : resolve(),
        idleMs,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      consumer
        .run({
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
            for (const message of batch.messages) {
              // Past max nothing is resolved, so the next redrive starts right there.
              if (records.length >= max) return;
              if (only) {
                if (batch.partition !== only.partition) return;
                if (message.offset !== only.offset)
                  return fail(
                    new RedriveRefusedError(
                      BigInt(message.offset) > BigInt(only.offset)
                        ? `${topic} partition ${only.partition} offset ${only.offset} was already redriven`
                        : `${topic} partition ${only.partition} offset ${only.offset} is not the next pending dead letter (offset ${message.offset} is): redrive in order`,
                    ),
                  );
              }
              const headers = headerText(message);
              const original = headers[dlqHeaders.topic];
              if (!original)
                return fail(
                  new RedriveRefusedError(
                    `${topic} partition ${batch.partition} offset ${message.offset} has no ${dlqHeaders.topic} header`,
                  ),
                );
              const kept = Object.fromEntries(
                Object.entries(headers).filter(([k]) => !k.startsWith('healstream.dlq.')),
              );
              await producer.send({
                topic: original,
                acks: -1,
                messages: [
                  {
                    key: message.key,
                    value: message.value,
                    headers: { ...kept, 'healstream.redriven.from': `${topic}@${message.offset}` },
                  },
                ],
              });
              records.push(`${batch.partition}@${message.offset}`);
              resolveOffset(message.offset);
              await commitOffsetsIfNecessary();
              clearTimeout(timer);
              if (records.length >= max) return resolve();
              timer = setTimeout(resolve, idleMs);
            }
          },
        })
        .catch(fail);
    });
  } finally {
    await consumer.commitOffsets([]).catch(() => {});
    await consumer.disconnect();
    await producer.disconnect();
  }
  return { topic, redriven: records.length, records };
}

/** The next offset to redrive per partition (everything below it was sent back already). */
export async function redriveProgress(
  kafka: Kafka,
  groupId: string,
  dlqTopic: string,
): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [dlqTopic] });
    const low = await admin.fetchTopicOffsets(dlqTopic);
    const next = new Map<number, bigint>();
    for (const p of low) {
      const c = committed?.partitions.find((x) => x.partition === p.partition)?.offset;
      const start = BigInt(p.low);
      next.set(p.partition, c && c !== '-1' && BigInt(c) > start ? BigInt(c) : start);
    }
    return next;
  } finally {
    await admin.disconnect();
  }
}
