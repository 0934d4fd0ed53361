import { describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { createLogger, createRegistry, loopMetrics } from '@healstream/runtime';
import { PartitionOwners } from './partition-ownership.js';
import type { TransactionalLoopOptions } from './loop-types.js';

describe('PartitionOwners.openSoon', () => {
  it('tries a failed open again while the partition stays assigned, without waiting for a batch', async () => {
    let connects = 0;
    const producer = {
      // The first open fails (fenced by a member that held the partition a moment), later ones work.
      connect: async () => {
        if (++connects === 1) throw new Error('fenced by a newer owner of this partition');
      },
      disconnect: async () => {},
      transaction: async () => ({ abort: async () => {} }),
    };
    const options = {
      kafka: { producer: () => producer } as unknown as Kafka,
      logger: createLogger('test', 'silent'),
      metrics: loopMetrics(createRegistry('test', false)),
      groupId: 'g',
      inputs: [],
      open: () => ({ handle: () => {} }),
    } as unknown as TransactionalLoopOptions;
    const owners = new PartitionOwners(options, () => {});
    owners.admin = { fetchOffsets: async () => [] } as unknown as PartitionOwners['admin'];
    owners.assignment = new Set([0]);
    owners.openSoon(0);
    const deadline = Date.now() + 5000;
    while (!owners.open.has(0) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(owners.open.has(0)).toBe(true);
    expect(connects).toBe(2);
  });
});
