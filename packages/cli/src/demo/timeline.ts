import type { Kafka } from 'kafkajs';
import { incidentTopics, topicsFor, type Serde } from '@healstream/contracts';
import type { Journal, JournalEntry } from './journal.js';

export interface TimelineConsumer {
  stop(): Promise<void>;
}

/**
 * Reads the run's pipeline topics (read-committed, as every healstream consumer) into the
 * journal and hands each record to `onEntry`. Resolves once the consumer has joined its group,
 * so nothing the scenarios cause can be missed.
 */
export async function startTimeline(options: {
  kafka: Kafka;
  serde: Serde;
  prefix: string;
  journal: Journal;
  onEntry: (entry: JournalEntry) => void;
  onError: (message: string) => void;
  joinTimeoutMs?: number;
}): Promise<TimelineConsumer> {
  const { kafka, serde, prefix, journal } = options;
  const consumer = kafka.consumer({
    groupId: `${prefix}demo-timeline`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
  );
  await consumer.connect();
  const watched = new Map(
    incidentTopics(topicsFor(prefix)).map((handle) => [handle.topic, handle]),
  );
  await consumer.subscribe({ topics: [...watched.keys()], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const handle = watched.get(topic);
      if (!handle) return;
      try {
        const value: unknown = await serde.decode(message.value, handle.record);
        // The handle's record name decoded the value, so it is the entry's type for that topic.
        const entry = { logical: handle.logical, value } as JournalEntry;
        journal.add(entry);
        options.onEntry(entry);
      } catch (error) {
        options.onError(
          `timeline: could not decode a record of ${topic}: ${(error as Error).message}`,
        );
      }
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('the timeline consumer did not join its group in time')),
      options.joinTimeoutMs ?? 60_000,
    );
  });
  try {
    await Promise.race([joined, timeout]);
  } catch (error) {
    await consumer.disconnect().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { stop: () => consumer.disconnect() };
}
