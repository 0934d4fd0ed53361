import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

const NAME = 'HealstreamCoPartition';

/**
 * Which partition numbers each member gets, given what each owns now: balanced (every member
 * gets ⌊n/m⌋ or ⌈n/m⌉) and sticky (a member keeps what it owns as far as balance allows, so a
 * member joining or leaving moves only the partitions it must: each move is a state restore and
 * interrupted actions). Members are sorted; the result depends only on the inputs.
 */
export function stickyAssignment(
  partitions: readonly number[],
  members: readonly { memberId: string; owned: readonly number[] }[],
): Map<string, number[]> {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  const result = new Map<string, number[]>(sorted.map((m) => [m.memberId, []]));
  if (sorted.length === 0) return result;
  const all = [...new Set(partitions)].sort((a, b) => a - b);
  const floor = Math.floor(all.length / sorted.length);
  let extra = all.length % sorted.length; // members that may hold floor + 1
  const free = new Set(all);
  // Those keeping the most go first, so that the ones holding floor + 1 are the ones that
  // already did (ties by member id, for a result every leader computes alike).
  const byKept = sorted
    .map((m) => ({ m, kept: m.owned.filter((p, i, a) => free.has(p) && a.indexOf(p) === i) }))
    .sort((a, b) => b.kept.length - a.kept.length || (a.m.memberId < b.m.memberId ? -1 : 1));
  for (const { m, kept } of byKept) {
    const mine = result.get(m.memberId) as number[];
    let quota = floor;
    if (extra > 0 && kept.length > floor) {
      quota = floor + 1;
      extra--;
    }
    for (const p of kept) {
      if (mine.length >= quota) break;
      if (!free.delete(p)) continue;
      mine.push(p);
    }
  }
  // What is left goes to the members below their share, fewest first; once all hold ⌊n/m⌋,
  // to the ones that may hold one more.
  const lists = sorted.map((m) => result.get(m.memberId) as number[]);
  const fewest = (eligible: (l: number[]) => boolean) =>
    lists
      .filter(eligible)
      .reduce<number[] | undefined>(
        (best, l) => (best === undefined || l.length < best.length ? l : best),
        undefined,
      );
  for (const p of [...free].sort((a, b) => a - b)) {
    const below = fewest((l) => l.length < floor);
    if (below) {
      below.push(p);
      continue;
    }
    const next = fewest((l) => l.length === floor) ?? fewest(() => true);
    next?.push(p);
    extra--;
  }
  for (const list of result.values()) list.sort((a, b) => a - b);
  return result;
}

const ownedOf = (userData: Buffer | undefined): number[] => {
  if (!userData || userData.length === 0) return [];
  try {
    const parsed = JSON.parse(userData.toString('utf8')) as unknown;
    return Array.isArray(parsed) ? parsed.filter((p): p is number => Number.isInteger(p)) : [];
  } catch {
    return []; // a member of another version: it owns nothing we can read
  }
};

/**
 * Gives each member whole partition numbers: partition p of every subscribed topic goes to the
 * same member. healstream keys every topic by component with the same partition count, so a
 * component's diagnoses, outcomes and changelog all land on the instance that holds its state.
 * Sticky: each member sends the partitions it owns (`owned`) with its join, and keeps them.
 */
export const coPartitionAssigner =
  (owned: () => readonly number[]): PartitionAssigner =>
  ({ cluster }) => ({
    name: NAME,
    version: 2,
    async assign({ members, topics }) {
      const partitionsOf = new Map(
        topics.map((topic) => [
          topic,
          cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId),
        ]),
      );
      const numbers = [...partitionsOf.values()].flat();
      const plan = stickyAssignment(
        numbers,
        members.map((m) => ({
          memberId: m.memberId,
          owned: ownedOf(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData),
        })),
      );
      return [...plan].map(([memberId, mine]) => {
        const assignment: Record<string, number[]> = {};
        for (const [topic, ids] of partitionsOf) {
          const here = ids.filter((p) => mine.includes(p));
          if (here.length > 0) assignment[topic] = here;
        }
        return {
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 2,
            assignment,
            userData: Buffer.alloc(0),
          }),
        };
      });
    },
    protocol({ topics }) {
      return {
        name: NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 2,
          topics,
          userData: Buffer.from(JSON.stringify([...owned()])),
        }),
      };
    },
  });
