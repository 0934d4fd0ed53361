import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Outbound, PartitionContext } from '@healstream/runtime';
import { createLogger } from '@healstream/runtime';
import { startTicks } from './ticks.js';

describe('ticks of a quiet partition', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it('appends a tick to the partition only while nothing arrives, and only while owned', async () => {
    const written: Outbound[][] = [];
    let owned = true;
    const context: PartitionContext = {
      partition: 4,
      produce: (records) => {
        written.push(records);
        return Promise.resolve();
      },
      owned: () => owned,
    };
    let lastHandled = Date.now();
    const stop = startTicks({
      context,
      metricsTopic: 'hs.metrics',
      everyMs: 1000,
      lastHandled: () => lastHandled,
      logger: createLogger('test', 'silent'),
    });
    // Busy: a record every half second, no tick.
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(500);
      lastHandled = Date.now();
    }
    expect(written).toEqual([]);
    // Quiet: one tick a second, stamped with the time it was written.
    await vi.advanceTimersByTimeAsync(3000);
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(written[0]?.[0]).toMatchObject({
      topic: 'hs.metrics',
      key: '__tick__',
      value: { component: '__tick__', metric: 'healstream.tick' },
    });
    const count = written.length;
    owned = false;
    await vi.advanceTimersByTimeAsync(3000);
    expect(written.length).toBe(count);
    stop();
  });
});
