/**
 * Scenario (j), on a private cluster of three brokers (`infra up --brokers 3`: three replicas,
 * two in sync, the transaction log likewise): kill -9 of the broker that coordinates the most of
 * the services' transactions, and later of the leader of the busiest metrics partition, each kept
 * down 30 s while the other two serve, then restarted. Processing must go on once the leaders
 * have moved, and nothing may be lost or done twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { Admin, FindCoordinatorKeyTypes } from '@platformatic/kafka';
import { topicsFor } from '@healstream/contracts';
import { SERVICES } from '@healstream/cli';
import { whileBusy, type FaultContext, type Scenario } from './scenarios.js';
import type { ChaosStack } from './stack.js';

/** How long each killed broker stays down: well past the 9 s in which the cluster fences it. */
const DOWN_MS = 30_000;
const INTERNAL = ['__transaction_state', '__consumer_offsets'];

/** The transactional id of every producer of the services: one per stage and partition. */
export function transactionalIds(prefix: string, partitions: number): string[] {
  return SERVICES.flatMap((stage) =>
    Array.from({ length: partitions }, (_, p) => `${prefix}${stage}:${p}`),
  );
}

/** Transactional ids per coordinating broker, asked of the cluster (FindCoordinator). */
async function coordinators(brokers: string, ids: string[]): Promise<Map<number, number>> {
  const admin = new Admin({ clientId: 'healstream-chaos', bootstrapBrokers: brokers.split(',') });
  try {
    const found = await admin.findCoordinator({
      keyType: FindCoordinatorKeyTypes.TRANSACTION,
      keys: ids,
    });
    const per = new Map<number, number>();
    for (const f of found) per.set(f.nodeId, (per.get(f.nodeId) ?? 0) + 1);
    return per;
  } finally {
    await admin.close();
  }
}

async function withAdmin<T>(kafka: Kafka, use: (admin: ReturnType<Kafka['admin']>) => Promise<T>) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** The metrics partition with the most records, and its leader. */
async function busiestMetricsPartition(stack: ChaosStack) {
  const topic = topicsFor(stack.prefix).metrics.topic;
  return withAdmin(stack.kafka, async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    const busiest = offsets.reduce((a, b) => (Number(b.high) > Number(a.high) ? b : a));
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const leader = metadata.topics[0]?.partitions.find((p) => p.partitionId === busiest.partition);
    if (!leader) throw new Error(`no metadata for ${topic} partition ${busiest.partition}`);
    return { partition: busiest.partition, records: Number(busiest.high), leader: leader.leader };
  });
}

/** Every partition of the scenario's topics and of the internal ones, with its leader and ISR. */
async function partitions(stack: ChaosStack) {
  return withAdmin(stack.kafka, async (admin) => {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(stack.prefix));
    const metadata = await admin.fetchTopicMetadata({ topics: [...topics, ...INTERNAL] });
    return metadata.topics.flatMap((t) => t.partitions);
  });
}

/** Waits (up to `timeoutMs`) until `done` holds for the partitions; the seconds it took, or null. */
async function waitPartitions(
  stack: ChaosStack,
  done: (ps: Awaited<ReturnType<typeof partitions>>) => boolean,
  timeoutMs: number,
): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const ps = await partitions(stack).catch(() => undefined);
    if (ps && done(ps)) return (Date.now() - started) / 1000;
    await sleep(500);
  }
  return null;
}

/** kill -9 of one broker; down DOWN_MS while the rest serve; restarted; back in every ISR. */
async function killBroker(ctx: FaultContext, id: number, why: string): Promise<void> {
  await whileBusy(ctx.stack);
  ctx.log(`broker ${id} (${why}): kill -9, down ${DOWN_MS / 1000} s`);
  const from = Date.now();
  await ctx.infra.killBroker(id);
  const moved = await waitPartitions(ctx.stack, (ps) => ps.every((p) => p.leader !== id), DOWN_MS);
  ctx.log(
    moved === null
      ? `broker ${id}: still a leader after ${DOWN_MS / 1000} s`
      : `broker ${id}: its leaders moved to the other brokers in ${moved.toFixed(1)} s`,
  );
  await sleep(Math.max(0, from + DOWN_MS - Date.now()));
  const to = Date.now();
  ctx.outages.push({ what: `broker ${id} (${why})`, from, to });
  await ctx.infra.start();
  const synced = await waitPartitions(
    ctx.stack,
    (ps) => ps.every((p) => p.isr.length === p.replicas.length),
    120_000,
  );
  ctx.log(
    `broker ${id}: back; ${synced === null ? 'not in every ISR after 120 s' : `in every ISR after ${synced.toFixed(1)} s`}`,
  );
}

export const CLUSTER_SCENARIO: Scenario = {
  id: 'j',
  title:
    'three brokers: kill -9 of the transaction coordinator, then of a busy partition leader, each down 30 s',
  brokers: 3,
  fault: async (ctx) => {
    const ids = transactionalIds(ctx.stack.prefix, ctx.settings.partitions);
    const per = await coordinators(ctx.infra.brokers, ids);
    ctx.log(
      `transaction coordinators: ${[...per]
        .sort(([a], [b]) => a - b)
        .map(([node, n]) => `broker ${node} ${n} ids`)
        .join(', ')}`,
    );
    const [coordinator, count] = [...per].sort(([, a], [, b]) => b - a)[0] as [number, number];
    await killBroker(
      ctx,
      coordinator,
      `coordinator of ${count} of ${ids.length} transactional ids`,
    );
    const busy = await busiestMetricsPartition(ctx.stack);
    await killBroker(
      ctx,
      busy.leader,
      `leader of metrics partition ${busy.partition}, ${busy.records} records`,
    );
    return Date.now();
  },
};
