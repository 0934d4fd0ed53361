import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import {
  changelogTopics,
  jsonTopics,
  pipelineTopics,
  Serde,
  type RecordName,
} from '@healstream/contracts';
import {
  createRegistryClient,
  deleteThrowawayGroup,
  readDeadLetterHeaders,
  type ConnectionEnv,
} from '@healstream/runtime';
import { readDeadline } from './read-deadline.js';

export type TopicKind =
  | { kind: 'avro'; record: RecordName }
  | { kind: 'dlq' }
  | { kind: 'changelog' }
  | { kind: 'unknown' };

/** What a topic carries, from its logical name under the prefix. */
export function topicKind(prefix: string, topic: string): TopicKind {
  const logical = topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  if (logical.endsWith('.dlq')) return { kind: 'dlq' };
  if ((changelogTopics as readonly string[]).includes(logical)) return { kind: 'changelog' };
  // JSON like a changelog's, so `tail` shows it decoded.
  if ((jsonTopics as readonly string[]).includes(logical)) return { kind: 'changelog' };
  const record = (pipelineTopics as Record<string, RecordName>)[logical];
  return record ? { kind: 'avro', record } : { kind: 'unknown' };
}

/** A logical name (`healing-outcomes`) gets the prefix; a full name is kept. */
export function resolveTopic(prefix: string, topic: string): string {
  return topic.startsWith(prefix) ? topic : `${prefix}${topic}`;
}

export interface Decoded {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: string | null;
  value: unknown;
  headers?: Record<string, string | undefined>;
  error?: string;
}

export function headersAsText(message: KafkaMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(message.headers ?? {}).map(([k, v]) => [
      k,
      (Array.isArray(v) ? v[0] : v)?.toString() ?? '',
    ]),
  );
}

export async function decodeMessage(
  serde: Serde,
  kind: TopicKind,
  topic: string,
  partition: number,
  message: KafkaMessage,
): Promise<Decoded> {
  const base = {
    topic,
    partition,
    offset: message.offset,
    timestamp: Number(message.timestamp),
    key: message.key?.toString() ?? null,
  };
  try {
    switch (kind.kind) {
      case 'avro':
        return { ...base, value: await serde.decode(message.value, kind.record) };
      case 'changelog':
        return {
          ...base,
          value: message.value === null ? null : JSON.parse(message.value.toString()),
        };
      case 'dlq':
        return {
          ...base,
          value: message.value?.toString('base64') ?? null,
          headers: readDeadLetterHeaders(message.headers),
        };
      default:
        return { ...base, value: message.value?.toString() ?? null };
    }
  } catch (error) {
    return {
      ...base,
      value: message.value?.toString('base64') ?? null,
      error: (error as Error).message,
    };
  }
}

/**
 * Reads a topic with a throwaway group: from the beginning or only new records, until `max`
 * records, `timeoutMs` of silence or `maxMs` in all. Read-committed, like every healstream
 * consumer.
 */
export async function readRecords(
  kafka: Kafka,
  topic: string,
  options: {
    fromBeginning: boolean;
    max: number;
    timeoutMs: number;
    maxMs?: number;
    onMessage: (partition: number, m: KafkaMessage) => Promise<void>;
  },
): Promise<number> {
  const groupId = `healstream-cli-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning });
    let done = false;
    await new Promise<void>((resolve, reject) => {
      const finish = () => {
        done = true;
        deadline.clear();
        resolve();
      };
      const deadline = readDeadline(
        { idleMs: options.timeoutMs, maxMs: options.maxMs ?? Number.POSITIVE_INFINITY },
        finish,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            if (done || seen >= options.max) return;
            seen++;
            await options.onMessage(partition, message);
            if (seen >= options.max) finish();
            else deadline.activity();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await deleteThrowawayGroup(kafka, groupId);
  }
  return seen;
}

export function serdeFor(config: ConnectionEnv): Serde {
  return new Serde(createRegistryClient(config));
}
