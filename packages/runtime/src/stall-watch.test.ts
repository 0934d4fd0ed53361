import { describe, expect, it } from 'vitest';
import { StallWatch } from './stall-watch.js';

describe('stall watch', () => {
  it('calls a partition stalled once input has waited stallMs without a commit', () => {
    const watch = new StallWatch(60_000);
    watch.input(3, 1_000);
    expect(watch.stalled(60_999)).toEqual([]);
    expect(watch.stalled(61_000)).toEqual([3]);
  });

  it('restarts the clock at each commit while records still wait, and clears it when none do', () => {
    const watch = new StallWatch(60_000);
    watch.input(0, 0);
    watch.progress(0, 50_000, true);
    expect(watch.stalled(100_000)).toEqual([]);
    expect(watch.stalled(110_000)).toEqual([0]);
    watch.progress(0, 110_000, false);
    expect(watch.stalled(1_000_000)).toEqual([]);
  });

  it('keeps the first arrival: more input does not hide a partition that makes no progress', () => {
    const watch = new StallWatch(10_000);
    watch.input(1, 0);
    watch.input(1, 9_000);
    expect(watch.stalled(10_000)).toEqual([1]);
  });

  it('never calls an idle partition stalled, and forgets partitions let go', () => {
    const watch = new StallWatch(10_000);
    watch.input(2, 0);
    watch.input(5, 0);
    watch.forget(5);
    expect(watch.stalled(1_000_000)).toEqual([2]);
    expect(watch.isStalled(5, 1_000_000)).toBe(false);
    expect(watch.isStalled(7, 1_000_000)).toBe(false);
  });
});
