import { describe, expect, it } from 'vitest';
import { copyJson } from './json-copy.js';

describe('copyJson', () => {
  it('copies every object and array of JSON data, at any depth, and keeps its primitives', () => {
    const value = {
      n: 1.5,
      s: 'x',
      t: true,
      none: null,
      list: [1, null, 'a', [2, { deep: [3] }], { k: null }],
      nested: { packed: [0.1, 0.2, 0.3], inner: { more: [] as number[] } },
    };
    const copy = copyJson(value);
    expect(copy).toEqual(value);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
    copy.list[0] = 9;
    (copy.list[3] as [number, { deep: number[] }])[1].deep.push(4);
    copy.nested.packed[1] = 7;
    copy.nested.inner.more.push(1);
    (copy.list[4] as { k: unknown }).k = 'changed';
    expect(value.list).toEqual([1, null, 'a', [2, { deep: [3] }], { k: null }]);
    expect(value.nested).toEqual({ packed: [0.1, 0.2, 0.3], inner: { more: [] } });
  });
});
