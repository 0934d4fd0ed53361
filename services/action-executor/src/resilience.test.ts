import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from './config.js';
import { ExecutorError } from './executors/types.js';
import { Resilience } from './resilience.js';

const fast = {
  ...DEFAULT_SETTINGS,
  backoffInitialMs: 5,
  backoffMaxMs: 20,
  actionTimeoutMs: 200,
  maxAttempts: 3,
  breakerFailures: 3,
  breakerHalfOpenMs: 60_000,
};

describe('resilience around an action', () => {
  it('retries transient failures with backoff and succeeds', async () => {
    const r = new Resilience(fast);
    let calls = 0;
    const result = await r.run('payments', 't1', async () => {
      calls++;
      if (calls < 3) throw new ExecutorError('supervisor unreachable', true);
      return 'restarted';
    });
    expect(result).toMatchObject({ status: 'SUCCEEDED', detail: 'restarted', attempts: 3 });
  });

  it('does not retry a refusal', async () => {
    const r = new Resilience(fast);
    let calls = 0;
    const result = await r.run('payments', 't2', async () => {
      calls++;
      throw new ExecutorError('answered 409: at max replicas', false);
    });
    expect(calls).toBe(1);
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatch(/^EXECUTOR_REJECTED: answered 409/);
  });

  it('times out an attempt, aborting its signal, and reports TIMED_OUT', async () => {
    const r = new Resilience({ ...fast, maxAttempts: 1 });
    let aborted = false;
    const result = await r.run(
      'payments',
      't3',
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted')))),
        ),
    );
    expect(result.status).toBe('TIMED_OUT');
    expect(aborted).toBe(true);
  });

  it('opens the circuit of a target after consecutive transient failures; other targets still run', async () => {
    const r = new Resilience({ ...fast, maxAttempts: 1 });
    const down = async () => {
      throw new ExecutorError('unreachable', true);
    };
    for (let i = 0; i < 3; i++)
      expect((await r.run('payments', 'target-down', down)).status).toBe('FAILED');
    let called = false;
    const result = await r.run('payments', 'target-down', async () => ((called = true), 'ok'));
    expect(called).toBe(false);
    expect(result.error).toMatch(/^CIRCUIT_OPEN/);
    expect((await r.run('payments', 'target-up', async () => 'ok')).status).toBe('SUCCEEDED');
  });

  it('runs one action at a time per component (bulkhead)', async () => {
    const r = new Resilience(fast);
    let concurrent = 0;
    let peak = 0;
    const action = async () => {
      concurrent++;
      peak = Math.max(peak, concurrent);
      await new Promise((res) => setTimeout(res, 30));
      concurrent--;
      return 'ok';
    };
    await Promise.all([
      r.run('payments', 'a', action),
      r.run('payments', 'a', action),
      r.run('checkout', 'a', action),
    ]);
    expect(peak).toBe(2); // payments twice in sequence, checkout alongside
  });
});
