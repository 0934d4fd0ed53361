import { describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import type { Serde } from '@healstream/contracts';
import { createLogger } from './logger.js';
import { createRegistry, loopMetrics } from './metrics.js';
import { TransactionalLoop } from './transactional-loop.js';

/** A kafkajs consumer stand-in: records what the loop does with it, and lets a test emit its events. */
class FakeConsumer {
  readonly events = {
    GROUP_JOIN: 'group_join',
    CRASH: 'crash',
    REBALANCING: 'rebalancing',
  };
  private readonly listeners = new Map<string, ((event: { payload: unknown }) => void)[]>();
  connected = false;
  running = false;
  disconnected = false;
  subscribed: string[] = [];

  on(event: string, listener: (event: { payload: unknown }) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string, payload: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener({ payload });
  }
  connect(): Promise<void> {
    this.connected = true;
    return Promise.resolve();
  }
  subscribe({ topic }: { topic: string }): Promise<void> {
    this.subscribed.push(topic);
    return Promise.resolve();
  }
  eachBatch: ((payload: unknown) => Promise<void>) | undefined;
  run({ eachBatch }: { eachBatch: (payload: unknown) => Promise<void> }): Promise<void> {
    this.eachBatch = eachBatch;
    this.running = true;
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    this.disconnected = true;
    return Promise.resolve();
  }
}

function setup(clock: { now: number }) {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    admin: () => ({ connect: () => Promise.resolve(), disconnect: () => Promise.resolve() }),
    consumer: () => {
      const consumer = new FakeConsumer();
      consumers.push(consumer);
      return consumer;
    },
  } as unknown as Kafka;
  const registry = createRegistry('test', false);
  const loop = new TransactionalLoop({
    kafka,
    serde: { registerTopic: () => Promise.resolve(1) } as unknown as Serde,
    logger: createLogger('test', 'silent'),
    metrics: loopMetrics(registry),
    service: 'test',
    groupId: 'test',
    inputs: [{ logical: 'metrics', topic: 'in', record: 'MetricSample' }],
    outputs: [],
    open: () => ({ handle: () => {} }),
    now: () => clock.now,
    watchIntervalMs: 5,
    rejoinDeadlineMs: 1000,
    startBackoff: { initialMs: 1, maxMs: 2 },
  });
  return { loop, consumers, registry };
}

const join = { memberId: 'member-1', memberAssignment: {} };
const settle = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

async function replacements(registry: ReturnType<typeof createRegistry>, reason: string) {
  const metric = await registry.getSingleMetric('healstream_consumer_replacements_total')?.get();
  return metric?.values.find((v) => v.labels['reason'] === reason)?.value ?? 0;
}

describe('transactional loop: the consumer is never left dead or out of its group', () => {
  it('starts a new consumer when kafkajs stops one for good after a crash', async () => {
    const clock = { now: 0 };
    const { loop, consumers, registry } = setup(clock);
    await loop.start();
    consumers[0]?.emit('group_join', join);
    expect(loop.isReady()).toBe(true);

    consumers[0]?.emit('crash', { error: new Error('no coordinator'), restart: false });
    expect(loop.isReady()).toBe(false);
    await settle();
    expect(consumers).toHaveLength(2);
    expect(consumers[1]).toMatchObject({ connected: true, running: true, subscribed: ['in'] });
    expect(await replacements(registry, 'crashed')).toBe(1);

    consumers[1]?.emit('group_join', { ...join, memberId: 'member-2' });
    expect(loop.isReady()).toBe(true);
    await loop.stop();
  });

  it('leaves a consumer that kafkajs restarts itself alone', async () => {
    const clock = { now: 0 };
    const { loop, consumers } = setup(clock);
    await loop.start();
    consumers[0]?.emit('group_join', join);
    consumers[0]?.emit('crash', { error: new Error('retriable'), restart: true });
    await settle();
    expect(consumers).toHaveLength(1);
    await loop.stop();
  });

  it('replaces a consumer whose rejoin does not complete within the deadline', async () => {
    const clock = { now: 0 };
    const { loop, consumers, registry } = setup(clock);
    await loop.start();
    consumers[0]?.emit('group_join', join);
    consumers[0]?.emit('rebalancing', {});

    clock.now = 900; // inside the deadline: a slow rebalance is left to finish
    await settle();
    expect(consumers).toHaveLength(1);

    clock.now = 1100;
    await settle();
    expect(consumers).toHaveLength(2);
    expect(consumers[0]?.disconnected).toBe(true);
    expect(consumers[1]?.running).toBe(true);
    expect(await replacements(registry, 'not-joined')).toBe(1);

    // The new member joins: nothing more is replaced however long it stays.
    consumers[1]?.emit('group_join', { ...join, memberId: 'member-2' });
    clock.now = 10_000;
    await settle();
    expect(consumers).toHaveLength(2);
    // Events of the replaced consumer no longer count.
    consumers[0]?.emit('crash', { error: new Error('late'), restart: false });
    await settle();
    expect(consumers).toHaveLength(2);
    expect(loop.isReady()).toBe(true);
    await loop.stop();
  });

  it('disconnects again a replaced consumer that comes back to life, and processes none of its batches', async () => {
    const clock = { now: 0 };
    const { loop, consumers } = setup(clock);
    await loop.start();
    consumers[0]?.emit('crash', { error: new Error('no coordinator'), restart: false });
    await settle();
    const [old, current] = consumers as [FakeConsumer, FakeConsumer];
    current.emit('group_join', { memberId: 'member-2', memberAssignment: { in: [] } });

    // kafkajs's restart timer brings the old one back: it joins and is handed a batch.
    old.disconnected = false;
    old.emit('group_join', { memberId: 'member-3', memberAssignment: { in: [0] } });
    await settle();
    expect(old.disconnected).toBe(true);
    expect(loop.assignedPartitions()).toEqual([]);

    old.disconnected = false;
    const resolved: string[] = [];
    await old.eachBatch?.({
      batch: { topic: 'in', partition: 0, messages: [{ offset: '0' }] },
      resolveOffset: (offset: string) => resolved.push(offset),
    });
    await settle();
    expect(resolved).toEqual([]);
    expect(old.disconnected).toBe(true);
    expect(loop.isReady()).toBe(true);
    await loop.stop();
  });

  it('replaces a consumer that never joins at all', async () => {
    const clock = { now: 0 };
    const { loop, consumers } = setup(clock);
    await loop.start();
    clock.now = 1500;
    await settle();
    expect(consumers).toHaveLength(2);
    await loop.stop();
  });
});
