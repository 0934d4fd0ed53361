import { describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { TransientError, type Serde } from '@healstream/contracts';
import { createLogger } from './logger.js';
import { createRegistry, loopMetrics } from './metrics.js';
import { TransactionalLoop } from './transactional-loop.js';

describe('transactional loop start-up', () => {
  it('waits for a schema registry that is down instead of failing, and only then goes to Kafka', async () => {
    const registered: string[] = [];
    let failures = 2;
    const serde = {
      registerTopic: (topic: string) => {
        if (failures > 0) {
          failures--;
          return Promise.reject(new TransientError('REGISTRY_UNAVAILABLE', 'registry unreachable'));
        }
        registered.push(topic);
        return Promise.resolve(1);
      },
    } as unknown as Serde;
    // No broker in a unit test: reaching Kafka at all ends start() with this error.
    const kafka = {
      admin: () => ({ connect: () => Promise.reject(new Error('reached Kafka')) }),
    } as unknown as Kafka;
    const loop = new TransactionalLoop({
      kafka,
      serde,
      logger: createLogger('test', 'silent'),
      metrics: loopMetrics(createRegistry('test', false)),
      service: 'test',
      groupId: 'test',
      inputs: [{ logical: 'metrics', topic: 'in', record: 'MetricSample' }],
      outputs: [{ topic: 'out', record: 'HealingDecision' }],
      open: () => ({ handle: () => {} }),
      startBackoff: { initialMs: 1, maxMs: 2 },
    });
    await expect(loop.start()).rejects.toThrow('reached Kafka');
    expect(failures).toBe(0);
    expect(registered).toEqual(['in', 'out']);
    expect(loop.isReady()).toBe(false);
  });

  const startWith = async (options: {
    fetchMaxWaitMs?: number;
    fetchMaxBytesPerPartition?: number;
  }) => {
    let consumerConfig: Record<string, unknown> = {};
    const kafka = {
      admin: () => ({ connect: () => Promise.resolve(), disconnect: () => Promise.resolve() }),
      consumer: (config: Record<string, unknown>) => {
        consumerConfig = config;
        return {
          on: () => {},
          events: {},
          connect: () => Promise.reject(new Error('reached the broker')),
          disconnect: () => Promise.resolve(),
        };
      },
    } as unknown as Kafka;
    const loop = new TransactionalLoop({
      kafka,
      serde: { registerTopic: () => Promise.resolve(1) } as unknown as Serde,
      logger: createLogger('test', 'silent'),
      metrics: loopMetrics(createRegistry('test', false)),
      service: 'test',
      groupId: 'test',
      inputs: [{ logical: 'metrics', topic: 'in', record: 'MetricSample' }],
      outputs: [],
      open: () => ({ handle: () => {} }),
      ...options,
    });
    await expect(loop.start()).rejects.toThrow('reached the broker');
    return consumerConfig;
  };

  it('fetches with the wait it is given', async () => {
    expect((await startWith({ fetchMaxWaitMs: 7 }))['maxWaitTimeInMs']).toBe(7);
  });

  it("fetches as much of a partition as it is told, else kafkajs' own default", async () => {
    const told = await startWith({ fetchMaxBytesPerPartition: 4 * 1024 * 1024 });
    expect(told['maxBytesPerPartition']).toBe(4 * 1024 * 1024);
    expect('maxBytesPerPartition' in (await startWith({}))).toBe(false);
  });
});
