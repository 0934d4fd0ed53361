import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '@healstream/runtime';
import { KeyedLock } from './partition-lock.js';

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with jitter below the ceiling', () => {
    const options = { initialMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 1)).toBe(800);
    expect(backoffDelay(10, options, () => 1)).toBe(1000);
    expect(backoffDelay(10, options, () => 0)).toBe(50);
  });
});

describe('KeyedLock', () => {
  it('runs tasks of one key one at a time, in order, and other keys alongside', async () => {
    const lock = new KeyedLock<number>();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`${name}+`);
      await sleep(ms);
      log.push(`${name}-`);
    };
    await Promise.all([
      lock.run(1, task('a', 20)),
      lock.run(1, task('b', 1)),
      lock.run(2, task('c', 1)),
    ]);
    expect(log.indexOf('a-')).toBeLessThan(log.indexOf('b+'));
    expect(log.indexOf('c+')).toBeLessThan(log.indexOf('a-'));
  });

  it('keeps going after a task fails', async () => {
    const lock = new KeyedLock<string>();
    await expect(lock.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run('k', () => Promise.resolve(7))).resolves.toBe(7);
  });
});
