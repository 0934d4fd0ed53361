import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readDeadline } from './read-deadline.js';

describe('read deadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('stops at the total deadline on a topic that never goes quiet', () => {
    const stop = vi.fn();
    const deadline = readDeadline({ idleMs: 2000, maxMs: 5000 }, stop);
    for (let s = 0; s < 4; s++) {
      vi.advanceTimersByTime(1000);
      deadline.activity();
    }
    expect(stop).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(stop).toHaveBeenCalled();
    deadline.clear();
  });

  it('stops after the idle time without records, and never without limits', () => {
    const stop = vi.fn();
    const deadline = readDeadline({ idleMs: 2000, maxMs: Number.POSITIVE_INFINITY }, stop);
    vi.advanceTimersByTime(1999);
    expect(stop).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(stop).toHaveBeenCalledTimes(1);
    deadline.clear();
    const never = vi.fn();
    const unlimited = readDeadline(
      { idleMs: Number.POSITIVE_INFINITY, maxMs: Number.POSITIVE_INFINITY },
      never,
    );
    vi.advanceTimersByTime(10 * 24 * 3600 * 1000);
    expect(never).not.toHaveBeenCalled();
    unlimited.clear();
  });
});
