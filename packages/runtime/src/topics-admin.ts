import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import type { TopicSpec } from '@healstream/contracts';

export interface TopicsReport {
  created: string[];
  existing: string[];
}

/**
 * Creates every topic that is missing; idempotent. An existing topic with another partition
 * count is an error: keys would map to other partitions and state would be split.
 */
export async function createTopics(admin: Admin, specs: TopicSpec[]): Promise<TopicsReport> {
  const existingNames = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existingNames.has(s.name));
  const present = specs.filter((s) => existingNames.has(s.name));
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((s) => s.name) });
    const wrong = present.flatMap((spec) => {
      const found = metadata.topics.find((t) => t.name === spec.name);
      const count = found?.partitions.length ?? 0;
      return count === spec.partitions
        ? []
        : [`${spec.name} has ${count} partitions, expected ${spec.partitions}`];
    });
    if (wrong.length > 0)
      throw new Error(`topics exist with the wrong partition count: ${wrong.join('; ')}`);
  }
  if (missing.length > 0) {
    // kafkajs' own waitForLeaders retries only LEADER_NOT_AVAILABLE and fails on the
    // UNKNOWN_TOPIC_OR_PARTITION a busy broker answers just after creating: wait here instead.
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((s) => ({
        topic: s.name,
        numPartitions: s.partitions,
        replicationFactor: -1,
        configEntries: [
          { name: 'cleanup.policy', value: s.cleanupPolicy },
          ...(s.timestampType ? [{ name: 'message.timestamp.type', value: s.timestampType }] : []),
          ...(s.cleanupPolicy === 'compact'
            ? [
                { name: 'min.compaction.lag.ms', value: '0' },
                { name: 'segment.ms', value: '3600000' },
              ]
            : []),
        ],
      })),
    });
  }
  await waitForLeaders(
    admin,
    specs.map((s) => s.name),
  );
  return { created: missing.map((s) => s.name), existing: present.map((s) => s.name) };
}

/**
 * A busy broker can answer "does not host this topic-partition" for a moment after creating a
 * topic: wait until every partition has a leader in the metadata, so callers can use them.
 */
export async function waitForLeaders(
  admin: Admin,
  topics: string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      if (
        metadata.topics.every(
          (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
        )
      )
        return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`topics have no leader after ${timeoutMs / 1000}s: ${topics.join(', ')}`);
    await sleep(200);
  }
}

/**
 * Deletes a throwaway consumer group (a one-off reader's, a state restore's), best effort: the
 * work it served is done, and a group left behind only waits for its offsets to expire.
 */
export async function deleteThrowawayGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin
    .connect()
    .then(() => admin.deleteGroups([groupId]))
    .catch(() => {});
  await admin.disconnect().catch(() => {});
}
