import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_RETRY, CONSUMER_RETRY } from './kafka-client.js';

type Retrier = (fn: () => Promise<unknown>) => Promise<unknown>;
const createRetry = createRequire(import.meta.url)('kafkajs/src/retry') as (
  options: object,
) => Retrier;

/** kafkajs's defaults outside its own tests (under NODE_ENV=test it takes others). */
const KAFKAJS_DEFAULTS = {
  maxRetryTime: 30_000,
  initialRetryTime: 300,
  factor: 0.2,
  multiplier: 2,
};

/** The sleeps kafkajs's own retrier takes between attempts of an operation that always fails. */
async function sleepsOf(given: object): Promise<number[]> {
  const options = { ...KAFKAJS_DEFAULTS, ...given };
  vi.useFakeTimers();
  const timeouts = vi.spyOn(globalThis, 'setTimeout');
  const settled = createRetry(options)(() =>
    Promise.reject(new Error('connect ECONNREFUSED')),
  ).catch(() => undefined);
  await vi.runAllTimersAsync();
  await settled;
  return timeouts.mock.calls.map((call) => Number(call[1]));
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('kafkajs retries', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('sleep at most 2 s between attempts, so work resumes soon after a broker outage ends', async () => {
    const before = await sleepsOf({ initialRetryTime: 100, retries: 10 });
    expect(Math.max(...before)).toBeGreaterThan(6000); // what a stage slept through in (j)
    for (const options of [CLIENT_RETRY, CONSUMER_RETRY]) {
      const sleeps = await sleepsOf(options);
      expect(sleeps).toHaveLength(options.retries);
      expect(Math.max(...sleeps)).toBeLessThanOrEqual(2000);
    }
  });

  it('keep the patience they had: ~25 s for a request, ~80 s for the fetch loop', async () => {
    expect(sum(await sleepsOf(CLIENT_RETRY))).toBeGreaterThan(20_000);
    expect(sum(await sleepsOf(CONSUMER_RETRY))).toBeGreaterThan(70_000);
  });
});
