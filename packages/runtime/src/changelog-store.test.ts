import { describe, expect, it } from 'vitest';
import { PartitionState, type Outbound } from '@healstream/runtime';

describe('PartitionState', () => {
  it('shows uncommitted writes to its own transaction, keeps them on commit and drops them on abort', () => {
    const state = new PartitionState<{ n: number }>(3, 'x.state');
    state.load('a', { n: 1 });
    state.set('a', { n: 2 });
    state.set('b', { n: 5 });
    expect(state.get('a')).toEqual({ n: 2 });
    expect(state.keys().sort()).toEqual(['a', 'b']);
    state.aborted();
    expect(state.get('a')).toEqual({ n: 1 });
    expect(state.get('b')).toBeUndefined();
    state.delete('a');
    expect(state.get('a')).toBeUndefined();
    expect(state.size).toBe(0);
    state.committed();
    expect(state.get('a')).toBeUndefined();
  });

  it('lists the keys holding a value and their values: committed ones in their order, then those the transaction added', () => {
    const state = new PartitionState<{ n: number }>(0, 'x.state');
    for (const k of ['a', 'b', 'c']) state.load(k, { n: 0 });
    state.set('d', { n: 1 });
    state.delete('b');
    state.set('c', { n: 2 });
    state.set('e', { n: 3 });
    state.delete('e');
    state.set('f', { n: 4 });
    expect(state.keys()).toEqual(['a', 'c', 'd', 'f']);
    expect(state.values()).toEqual([{ n: 0 }, { n: 2 }, { n: 1 }, { n: 4 }]);
    state.committed();
    expect(state.keys()).toEqual(['a', 'c', 'd', 'f']);
    expect(state.values()).toEqual([{ n: 0 }, { n: 2 }, { n: 1 }, { n: 4 }]);
  });

  it('writes each changed key once to the changelog, a deletion as a tombstone', () => {
    const state = new PartitionState<{ n: number }>(0, 'x.state');
    state.load('gone', { n: 0 });
    state.set('a', { n: 1 });
    state.set('a', { n: 2 });
    state.delete('gone');
    const out: Outbound[] = [];
    state.beforeCommit((o) => out.push(o));
    expect(out).toEqual([
      { topic: 'x.state', key: 'a', raw: Buffer.from('{"n":2}') },
      { topic: 'x.state', key: 'gone', raw: null },
    ]);
  });

  it('edits a copy of a committed value, once per transaction, that an abort throws away', () => {
    const state = new PartitionState<{ n: number[] }>(0, 'x.state');
    state.load('a', { n: [1] });
    const committed = state.get('a');
    const edited = state.edit('a');
    edited?.n.push(2);
    expect(state.edit('a')).toBe(edited);
    expect(state.get('a')).toBe(edited);
    expect(committed).toEqual({ n: [1] });
    const out: Outbound[] = [];
    state.beforeCommit((o) => out.push(o));
    expect(out).toEqual([{ topic: 'x.state', key: 'a', raw: Buffer.from('{"n":[1,2]}') }]);
    state.aborted();
    expect(state.get('a')).toEqual({ n: [1] });
    state.edit('a')?.n.push(3);
    state.committed();
    expect(state.get('a')).toEqual({ n: [1, 3] });
    expect(state.edit('missing')).toBeUndefined();
    state.delete('a');
    expect(state.edit('a')).toBeUndefined();
  });
});
