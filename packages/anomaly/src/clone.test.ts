import { describe, expect, it } from 'vitest';
import { clonePlain } from './clone.js';

describe('clonePlain', () => {
  it('copies nested plain data so that changing the copy leaves the original alone', () => {
    const original = {
      version: 1,
      n: 3,
      bins: [1, 2, [3, 4]],
      peak: { at: null, v: 'x', ok: true },
    };
    const copy = clonePlain(original);
    expect(copy).toEqual(original);
    (copy.bins[2] as number[])[0] = 99;
    copy.peak.v = 'y';
    expect(original.bins[2]).toEqual([3, 4]);
    expect(original.peak.v).toBe('x');
  });
});
