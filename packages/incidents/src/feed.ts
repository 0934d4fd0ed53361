import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import {
  HealstreamError,
  incidentTopics,
  topicsFor,
  type Serde,
  type TopicHandle,
} from '@healstream/contracts';
import type { IncidentStore } from './store.js';
import type { PipelineRecord, StoredRecord } from './types.js';

/** The topics the store materialises: the six of an incident's story and every dead-letter topic. */
export function materialisedTopics(prefix: string): TopicHandle[] {
  const t = topicsFor(prefix);
  return [...incidentTopics(t), ...t.deadLetters];
}

export interface StoreFeed {
  /** True once every partition was read up to the end it had when the feed started. */
  caughtUp(): boolean;
  /** Resolves once caught up; rejects after `timeoutMs`. */
  untilCaughtUp(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface FeedOptions {
  prefix: string;
  /** The consumer group; it commits nothing, the store keeps its own positions. */
  groupId: string;
  /** Called after each batch is applied, with what it touched. */
  onApplied?: (touched: { incidents: Set<string>; deadLetters: number }) => void;
  /** Called for a record that cannot be decoded (it is skipped: the pipeline dead-letters it). */
  onSkipped?: (topic: string, partition: number, offset: string, error: Error) => void;
}

/**
 * A partition's offsets, asked again while the broker says it is not ready (a topic just
 * created has no leader for a moment): kafkajs marks those errors retriable.
 */
async function partitionOffsets(admin: Admin, topic: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (attempt >= 20 || !(error as { retriable?: boolean }).retriable) throw error;
      await sleep(100 * attempt);
    }
  }
}

function headersText(message: KafkaMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(message.headers ?? {}).map(([k, v]) => [
      k,
      (Array.isArray(v) ? v[0] : v)?.toString() ?? '',
    ]),
  );
}

/**
 * Reads the materialised topics into the store with a consumer group of its own, from the
 * store's positions (the beginning for a new store), and keeps reading for live updates.
 */
export async function readIntoStore(
  kafka: Kafka,
  serde: Serde,
  store: IncidentStore,
  options: FeedOptions,
): Promise<StoreFeed> {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const handles = materialisedTopics(options.prefix).filter((h) => existing.has(h.topic));
  const byTopic = new Map(handles.map((h) => [h.topic, h]));
  // The end of each partition now: caught up once the feed got there.
  const pending = new Set<string>();
  for (const h of handles) {
    const done = store.positions(h.topic);
    for (const p of await partitionOffsets(admin, h.topic)) {
      const applied = done.get(p.partition) ?? Number(p.low);
      if (Number(p.high) > Number(p.low) && applied < Number(p.high))
        pending.add(`${h.topic}:${p.partition}`);
    }
  }
  await admin.disconnect();

  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 200,
  });
  const waiters: (() => void)[] = [];
  const settle = () => {
    if (pending.size === 0) waiters.splice(0).forEach((w) => w());
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.offsetLag === '0') {
      pending.delete(`${payload.topic}:${payload.partition}`);
      settle();
    }
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    // Start each partition where the store left it, not at the beginning.
    for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
      const done = store.positions(topic);
      for (const partition of partitions) {
        const next = done.get(partition);
        if (next === undefined) continue;
        try {
          consumer.seek({ topic, partition, offset: String(next) });
        } catch {
          // Not fatal: read from the beginning, the store skips the positions it applied.
        }
      }
    }
  });

  const decode = async (
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<StoredRecord | undefined> => {
    const handle = byTopic.get(topic);
    const at = { topic, partition, offset: message.offset };
    if (!handle) return undefined;
    if (handle.record === 'raw')
      return {
        logical: 'dead-letter',
        key: message.key?.toString() ?? null,
        value: message.value?.toString('base64') ?? null,
        headers: headersText(message),
        timestamp: Number(message.timestamp),
        at,
      };
    try {
      const value = await serde.decode(message.value, handle.record);
      return { logical: handle.logical, value, at } as PipelineRecord & { at: typeof at };
    } catch (error) {
      if (error instanceof HealstreamError && error.retriable) throw error;
      options.onSkipped?.(topic, partition, message.offset, error as Error);
      store.skip(at);
      return undefined;
    }
  };

  await consumer.connect();
  await consumer.subscribe({ topics: handles.map((h) => h.topic), fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }: EachBatchPayload) => {
      const records: StoredRecord[] = [];
      for (const message of batch.messages) {
        const record = await decode(batch.topic, batch.partition, message);
        if (record) records.push(record);
      }
      const touched = store.applyBatch(records);
      await heartbeat();
      if (touched.incidents.size || touched.deadLetters) options.onApplied?.(touched);
    },
  });
  settle();
  return {
    caughtUp: () => pending.size === 0,
    untilCaughtUp: (timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (pending.size === 0) return resolve();
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `the incident store did not catch up with the topics in ${timeoutMs} ms (${[...pending].join(', ')} behind)`,
              ),
            ),
          timeoutMs,
        );
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    stop: () => consumer.disconnect(),
  };
}
