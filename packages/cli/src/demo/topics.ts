import type { Kafka } from 'kafkajs';
import { topicCatalogue, type RegistryClient, type TopicSpec } from '@healstream/contracts';
import { createTopics } from '@healstream/runtime';

/** A fresh prefix per run, so a run never reads another's records and runs can follow each other. */
export function runPrefix(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `healstream.demo-${stamp}-${Math.random().toString(16).slice(2, 6)}.`;
}

export async function createRunTopics(
  kafka: Kafka,
  prefix: string,
  partitions: number,
): Promise<TopicSpec[]> {
  const specs = topicCatalogue(prefix, partitions);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopics(admin, specs);
  } finally {
    await admin.disconnect();
  }
  return specs;
}

/**
 * Removes what the run left in Kafka and the registry: its topics, its consumer groups (every
 * group id starts with the prefix) and the schema subjects of its topics.
 */
export async function removeRunTopics(
  kafka: Kafka,
  registry: RegistryClient,
  prefix: string,
  specs: TopicSpec[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(prefix));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => {});
    const existing = new Set(await admin.listTopics());
    const topics = specs.map((s) => s.name).filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
  for (const spec of specs.filter((s) => s.record))
    for (const permanent of [false, true])
      await registry.deleteSubject(`${spec.name}-value`, permanent).catch(() => {});
}
