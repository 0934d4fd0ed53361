import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordName } from '@healstream/contracts';
import { testKafka, testSerde } from './kafka.js';

/** A live, decoded view of a topic (read-committed) for assertions that wait for a state. */
export async function watchTopic<T>(
  topic: string,
  record: RecordName,
): Promise<{
  items: T[];
  stop: () => Promise<void>;
  waitFor: (what: string, done: (items: T[]) => boolean, timeoutMs?: number) => Promise<T[]>;
}> {
  const serde = testSerde();
  const consumer = testKafka().consumer({
    groupId: `watch-${Math.random()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  const items: T[] = [];
  let failure: unknown;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      try {
        items.push(await serde.decode<T>(message.value, record));
      } catch (error) {
        failure = error;
      }
    },
  });
  return {
    items,
    stop: () => consumer.disconnect(),
    waitFor: async (what, done, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!done(items)) {
        if (failure) throw failure;
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what} on ${topic} (${items.length} records)`);
        await sleep(100);
      }
      return items;
    },
  };
}
