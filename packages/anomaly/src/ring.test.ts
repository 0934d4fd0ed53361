import { describe, expect, it } from 'vitest';
import { ringAt, ringFill, ringLength, ringPush, ringSize, ringValues, slots } from './ring.js';

describe('a window in an array of numbers', () => {
  it('keeps the last `capacity` values, oldest first, as push and shift do to an array', () => {
    const capacity = 4;
    // Offset 3 inside a larger buffer, the neighbours untouched.
    const b = slots(3 + ringSize(capacity) + 2).fill(-1);
    b.fill(0, 3, 3 + ringSize(capacity));
    const array: number[] = [];
    for (let x = 1; x <= 11; x++) {
      ringPush(b, 3, capacity, x);
      array.push(x);
      if (array.length > capacity) array.shift();
      expect(ringValues(b, 3, capacity)).toEqual(array);
      expect(ringLength(b, 3)).toBe(array.length);
      expect(ringAt(b, 3, capacity, 0)).toBe(array[0]);
    }
    expect([...b.slice(0, 3), ...b.slice(-2)]).toEqual([-1, -1, -1, -1, -1]);
  });

  it('is filled from a saved list, keeping its last `capacity` values', () => {
    const b = slots(ringSize(3));
    ringPush(b, 0, 3, 9);
    ringFill(b, 0, 3, [1, 2, 3, 4, 5]);
    expect(ringValues(b, 0, 3)).toEqual([3, 4, 5]);
    ringFill(b, 0, 3, []);
    expect(ringValues(b, 0, 3)).toEqual([]);
  });
});
