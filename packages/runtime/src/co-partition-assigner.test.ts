import { describe, expect, it } from 'vitest';
import { stickyAssignment } from './co-partition-assigner.js';

const twelve = Array.from({ length: 12 }, (_, i) => i);
const sizes = (plan: Map<string, number[]>) => [...plan.values()].map((l) => l.length).sort();
const everyPartitionOnce = (plan: Map<string, number[]>, partitions: number[]) =>
  expect([...plan.values()].flat().sort((a, b) => a - b)).toEqual(partitions);
const moved = (before: Map<string, number[]>, after: Map<string, number[]>) => {
  const ownerBefore = new Map([...before].flatMap(([m, ps]) => ps.map((p) => [p, m] as const)));
  return [...after].flatMap(([m, ps]) => ps.filter((p) => ownerBefore.get(p) !== m)).length;
};
const members = (plan: Map<string, number[]>, extra: string[] = []) => [
  ...[...plan].map(([memberId, owned]) => ({ memberId, owned })),
  ...extra.map((memberId) => ({ memberId, owned: [] })),
];

describe('sticky co-partition assignment', () => {
  it('balances a fresh group', () => {
    const plan = stickyAssignment(twelve, [
      { memberId: 'b', owned: [] },
      { memberId: 'a', owned: [] },
      { memberId: 'c', owned: [] },
      { memberId: 'd', owned: [] },
      { memberId: 'e', owned: [] },
    ]);
    everyPartitionOnce(plan, twelve);
    expect(sizes(plan)).toEqual([2, 2, 2, 3, 3]);
  });

  it('moves nothing when the members stay, and only what it must when one joins or leaves', () => {
    const three = stickyAssignment(twelve, [
      { memberId: 'a', owned: [] },
      { memberId: 'b', owned: [] },
      { memberId: 'c', owned: [] },
    ]);
    expect(stickyAssignment(twelve, members(three))).toEqual(three);

    const four = stickyAssignment(twelve, members(three, ['d']));
    everyPartitionOnce(four, twelve);
    expect(sizes(four)).toEqual([3, 3, 3, 3]);
    expect(moved(three, four)).toBe(3); // the newcomer's share, nothing else

    const withoutB = members(four).filter((m) => m.memberId !== 'b');
    const after = stickyAssignment(twelve, withoutB);
    everyPartitionOnce(after, twelve);
    expect(sizes(after)).toEqual([4, 4, 4]);
    expect(moved(four, after)).toBe(3); // b's partitions, nothing else
  });

  it('settles two members claiming one partition (a zombie) and ignores partitions that are gone', () => {
    const plan = stickyAssignment(
      [0, 1, 2, 3],
      [
        { memberId: 'a', owned: [0, 1, 2, 9] },
        { memberId: 'b', owned: [2, 3] },
      ],
    );
    everyPartitionOnce(plan, [0, 1, 2, 3]);
    expect(sizes(plan)).toEqual([2, 2]);
    expect(plan.get('b')).toContain(3);
  });
});
