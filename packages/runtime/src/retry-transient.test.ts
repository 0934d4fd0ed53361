import { describe, expect, it } from 'vitest';
import { PoisonRecordError, TransientError } from '@healstream/contracts';
import { createLogger } from './logger.js';
import { retryWhileTransient } from './retry-transient.js';

const logger = createLogger('test', 'silent');

describe('retry while transient', () => {
  it('waits out a dependency that is down, with growing backoff, and returns what it answers', async () => {
    let calls = 0;
    const waits: number[] = [];
    const result = await retryWhileTransient(
      'registering schemas',
      async () => {
        calls++;
        if (calls <= 3) throw new TransientError('REGISTRY_UNAVAILABLE', 'registry unreachable');
        return 'registered';
      },
      {
        logger,
        backoff: { initialMs: 100, maxMs: 10_000 },
        wait: async (ms) => void waits.push(ms),
      },
    );
    expect(result).toBe('registered');
    expect(calls).toBe(4);
    expect(waits).toHaveLength(3);
    for (const [n, ms] of waits.entries()) expect(ms).toBeLessThanOrEqual(100 * 2 ** n);
  });

  it('throws errors that are not retriable at once, and transient ones once stopped', async () => {
    const wait = async () => {};
    await expect(
      retryWhileTransient(
        'x',
        () => Promise.reject(new PoisonRecordError('REGISTRY_REJECTED', 'refused')),
        { logger, wait },
      ),
    ).rejects.toThrow('refused');
    await expect(
      retryWhileTransient(
        'x',
        () => Promise.reject(new TransientError('REGISTRY_UNAVAILABLE', 'down')),
        { logger, wait, stopped: () => true },
      ),
    ).rejects.toThrow('down');
  });
});
