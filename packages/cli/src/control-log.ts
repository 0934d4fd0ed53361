import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { topicsFor, type ControlRecord, type Serde } from '@healstream/contracts';

/**
 * Every record of partition 0 of the control topic, oldest first: each control record is on
 * every partition, so one partition holds the whole log (what compaction left of it). Reads to
 * the partition's end: to the high watermark, or, since transaction markers take the last
 * offsets, until `idleMs` pass without a record once the consumer has joined.
 */
export async function readControlLog(
  kafka: Kafka,
  serde: Serde,
  prefix: string,
  idleMs = 1500,
): Promise<{ offset: string; record: ControlRecord }[]> {
  const { topic } = topicsFor(prefix).control;
  const admin = kafka.admin();
  await admin.connect();
  let high: bigint;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const p0 = offsets.find((o) => o.partition === 0);
    if (!p0 || BigInt(p0.high) === BigInt(p0.low)) return [];
    high = BigInt(p0.high);
  } finally {
    await admin.disconnect();
  }
  const groupId = `healstream-cli-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  const out: { offset: string; record: ControlRecord }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let idle: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(idle);
        resolve();
      };
      const quiet = () => {
        clearTimeout(idle);
        idle = setTimeout(finish, idleMs);
      };
      consumer.on(consumer.events.GROUP_JOIN, quiet);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            if (partition !== 0) return;
            quiet();
            if (message.value)
              out.push({
                offset: message.offset,
                record: await serde.decode<ControlRecord>(message.value, 'ControlRecord'),
              });
            if (BigInt(message.offset) >= high - 1n) finish();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup
      .connect()
      .then(() => cleanup.deleteGroups([groupId]))
      .catch(() => {});
    await cleanup.disconnect().catch(() => {});
  }
  return out;
}
