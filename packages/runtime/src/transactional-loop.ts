import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { processChunk } from './chunk-retries.js';
import { backoffDelay } from './backoff.js';
import { coPartitionAssigner } from './co-partition-assigner.js';
import { CONSUMER_RETRY } from './kafka-client.js';
import {
  DEFAULT_PARTITIONS_CONCURRENTLY,
  stallKey,
  type LoopInput,
  type OpenPartition,
  type TransactionalLoopOptions,
} from './loop-types.js';
import { PartitionHealth } from './partition-health.js';
import { PartitionOwners } from './partition-ownership.js';
import { retryWhileTransient } from './retry-transient.js';
import {
  FencedError,
  PermanentKafkaError,
  ProducerWedgedError,
  isRebalance,
} from './transaction-errors.js';

export type {
  Emit,
  InboundOf,
  InboundRecord,
  LoopInput,
  LoopOutput,
  Outbound,
  PartitionContext,
  PartitionHandler,
  TransactionalLoopOptions,
} from './loop-types.js';

/**
 * A replaced consumer that shows signs of life (a disconnect that timed out while the broker was
 * down, then kafkajs's own restart timer): disconnected again, so it leaves the group instead of
 * holding partitions nobody processes. Not awaited: kafkajs's disconnect waits for the batch
 * that called this to return.
 */
function retire(consumer: Consumer): void {
  setImmediate(() => void consumer.disconnect().catch(() => {}));
}

/**
 * Consume → process → produce, exactly once: every transaction carries the outputs, the dead
 * letters and the input offsets together, and consumers read committed only.
 *
 * Partitions are co-partitioned: one member owns partition number p of every input, and one
 * transaction at a time runs for p. Zombie fencing: kafkajs sends no group generation with
 * transactional offsets, so each partition number has its own transactional id
 * (`<group>:<p>`). A new owner's producer first initialises that id, which fences the previous
 * owner and completes or aborts its open transaction; only then does the new owner read the
 * committed offsets and skip what the previous owner already committed.
 */ export class TransactionalLoop {
  private consumer: Consumer | undefined;
  private readonly owners: PartitionOwners;
  private readonly health: PartitionHealth;
  /** This instance's member id in its group, as of its last join. */
  private memberId: string | undefined;
  private joined = false;
  /** A heartbeat said the group rebalances: every partition leaves its batch until the join. */
  private rebalancing = false;
  private readonly inputs: Map<string, LoopInput>;
  private readonly now: () => number;
  private watchTimer: NodeJS.Timeout | undefined;
  /** Bumped for each new consumer; events and batches of an older one are ignored. */
  private consumerGeneration = 0;
  /** Since when the consumer has been out of the group (starting, rebalancing, crashed). */
  private unjoinedSince: number | undefined;
  private replacing = false;
  private readonly sessionTimeoutMs: number;
  private readonly rejoinDeadlineMs: number;

  constructor(private readonly options: TransactionalLoopOptions) {
    this.inputs = new Map(options.inputs.map((i) => [i.topic, i]));
    this.now = options.now ?? Date.now;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    this.rejoinDeadlineMs = options.rejoinDeadlineMs ?? Math.max(30_000, 3 * this.sessionTimeoutMs);
    this.owners = new PartitionOwners(options, (p) => this.health.forgetStall(p));
    this.health = new PartitionHealth(options, this.owners, [...this.inputs.keys()], this.now);
  }

  /**
   * True once the group is joined, every assigned partition has its state restored, and no
   * partition is stalled (input waiting, no commit for `stallMs`) or halted (permanent error).
   */
  isReady(): boolean {
    if (!this.joined || this.owners.stopping) return false;
    for (const p of this.owners.assignment) if (!this.owners.open.has(p)) return false;
    return this.stalledPartitions().length === 0 && this.haltedPartitions().length === 0;
  }

  /** Partition numbers with an input halted by a permanent error. */
  haltedPartitions(): number[] {
    return this.health.haltedPartitions();
  }

  /** Partition numbers with an input stalled now. */
  stalledPartitions(): number[] {
    return this.health.stalledPartitions();
  }

  /** Partition numbers this instance owns now. */
  assignedPartitions(): number[] {
    return [...this.owners.assignment].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    const { kafka, inputs, outputs, logger, serde } = this.options;
    // A registry that is down at start-up is waited for (not ready meanwhile), not an exit.
    await retryWhileTransient(
      'registering schemas',
      async () => {
        for (const io of [...inputs, ...outputs])
          if (io.record !== 'raw') await serde.registerTopic(io.topic, io.record);
      },
      {
        logger,
        stopped: () => this.owners.stopping,
        ...(this.options.startBackoff ? { backoff: this.options.startBackoff } : {}),
      },
    );
    if (this.owners.stopping) return;
    const admin = kafka.admin();
    this.owners.admin = admin;
    await admin.connect();
    this.watchTimer = setInterval(() => {
      void this.health.watch();
      this.watchGroup();
    }, this.options.watchIntervalMs ?? 5000);
    this.watchTimer.unref();
    await this.runConsumer();
  }

  /**
   * A new consumer in the group: connect, subscribe, run. Each one has its own generation, and a
   * batch of an older one (a consumer replaced while its batch was stuck) processes nothing.
   */
  private async runConsumer(): Promise<void> {
    const { kafka, groupId, inputs, logger } = this.options;
    const generation = ++this.consumerGeneration;
    this.unjoinedSince = this.now();
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      sessionTimeout: this.sessionTimeoutMs,
      rebalanceTimeout: 60_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 100,
      ...(this.options.fetchMaxBytesPerPartition
        ? { maxBytesPerPartition: this.options.fetchMaxBytesPerPartition }
        : {}),
      partitionAssigners: [coPartitionAssigner(() => this.assignedPartitions())],
      retry: CONSUMER_RETRY,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (generation === this.consumerGeneration) this.joinedGroup(payload);
      else retire(consumer);
    });
    consumer.on(consumer.events.REBALANCING, () => {
      if (generation === this.consumerGeneration) this.unjoinedSince ??= this.now();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (generation !== this.consumerGeneration) return;
      logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      this.joined = false;
      // A consumer kafkajs restarts is being looked after: its deadline starts again.
      this.unjoinedSince = this.now();
      // kafkajs restarts the consumer itself only after an error it deems retriable; after any
      // other (no group coordinator found while the broker restarts, say) the consumer has
      // disconnected for good and this instance would sit unready, consuming nothing.
      if (!payload.restart)
        void this.replaceConsumer('crashed', 'kafkajs stopped the consumer for good');
    });
    if (this.owners.stopping) return;
    await consumer.connect();
    for (const input of inputs)
      await consumer.subscribe({ topic: input.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently:
        this.options.partitionsConsumedConcurrently ?? DEFAULT_PARTITIONS_CONCURRENTLY,
      eachBatch: (payload) => {
        if (generation === this.consumerGeneration) return this.eachBatch(payload, generation);
        retire(consumer);
        return Promise.resolve();
      },
    });
  }

  /**
   * The group's own watchdog: a consumer that has not (re)joined for `rejoinDeadlineMs` (a
   * rejoin that never completes after a broker restart, with no crash to say so) is replaced by
   * a new one. The new member's first join reopens every partition it gets (fence, offsets,
   * restore), as after any expulsion.
   */
  private watchGroup(): void {
    if (this.owners.stopping || this.replacing) return;
    const since = this.unjoinedSince;
    if (since === undefined || this.now() - since < this.rejoinDeadlineMs) return;
    void this.replaceConsumer(
      'not-joined',
      `not joined to the group for ${Math.round((this.now() - since) / 1000)} s`,
    );
  }

  private async replaceConsumer(kind: 'crashed' | 'not-joined', reason: string): Promise<void> {
    if (this.owners.stopping || this.replacing) return;
    this.replacing = true;
    const { logger, metrics } = this.options;
    try {
      logger.warn({ reason }, 'replacing the Kafka consumer with a new member of the group');
      metrics.consumerReplacements.inc({ reason: kind });
      const old = this.consumer;
      this.consumerGeneration++;
      this.joined = false;
      this.rebalancing = false;
      // A runner stuck in its rejoin may never finish disconnecting: bounded.
      if (old)
        await Promise.race([
          old.disconnect().catch(() => {}),
          sleep(10_000, undefined, { ref: false }),
        ]);
      for (let attempt = 0; !this.owners.stopping; attempt++) {
        try {
          await this.runConsumer();
          return;
        } catch (error) {
          // Capped low: the broker being back is what this waits for, and it should not add
          // half a minute to the recovery after a long outage.
          const delayMs = backoffDelay(
            attempt,
            this.options.startBackoff ?? { initialMs: 500, maxMs: 5000 },
          );
          logger.warn({ err: error, delayMs }, 'starting a new consumer failed; trying again');
          await this.consumer?.disconnect().catch(() => {});
          await sleep(delayMs);
        }
      }
    } finally {
      this.replacing = false;
    }
  }

  /** Stops consuming, lets the in-flight transaction finish, and disconnects everything. */
  async stop(): Promise<void> {
    this.owners.stopping = true;
    clearInterval(this.watchTimer);
    await this.consumer?.disconnect().catch(() => {});
    await this.owners.close();
    await this.owners.admin?.disconnect().catch(() => {});
  }

  private joinedGroup(payload: {
    memberId: string;
    memberAssignment: Record<string, number[]>;
  }): void {
    const { logger } = this.options;
    const owners = this.owners;
    const assigned = new Set<number>();
    for (const partitions of Object.values(payload.memberAssignment))
      for (const p of partitions) assigned.add(p);
    // A member the group expelled (paused past its session, say) rejoins under a new member
    // id: a partition it gets back may have had another owner meanwhile, whose state and
    // commands it has not seen. Every partition is then opened again: fenced, offsets
    // re-read, state restored.
    const rejoined = this.memberId !== undefined && payload.memberId !== this.memberId;
    this.memberId = payload.memberId;
    if (rejoined) {
      logger.warn(
        { partitions: [...owners.open.keys()] },
        'rejoined the group as a new member: reopening every partition',
      );
      for (const p of [...owners.open.keys()]) owners.release(p);
    }
    for (const p of [...owners.open.keys()]) if (!assigned.has(p)) owners.release(p);
    for (const p of owners.assignment) if (!assigned.has(p)) this.health.forgetStall(p);
    this.health.unhalt(assigned, (topic, p) => this.consumer?.resume([{ topic, partitions: [p] }]));
    owners.dropUnassignedProducers(assigned);
    owners.assignment = assigned;
    this.joined = true;
    this.rebalancing = false;
    this.unjoinedSince = undefined;
    logger.info({ partitions: this.assignedPartitions() }, 'joined consumer group');
    // Restore newly assigned partitions now, not only when their first record arrives.
    for (const p of assigned) owners.openSoon(p);
  }

  private async eachBatch(payload: EachBatchPayload, generation: number): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const { metrics, logger } = this.options;
    const owners = this.owners;
    const stall = this.health.stall;
    const key = stallKey(topic, partition);
    if (batch.messages.length > 0) stall.input(key, this.now());
    let part: OpenPartition;
    try {
      part = await owners.openPartition(partition);
    } catch (error) {
      logger.warn({ err: error, topic, partition }, 'could not open partition; will retry');
      await sleep(500);
      return;
    }
    const floor = part.nextOffset.get(topic) ?? 0n;
    // A batch's records come in offset order: those the previous owner committed lead it, so
    // the scan stops at the first pending one (one BigInt when none is skipped, not one per
    // record of the batch), and a batch with none skipped is taken as it is, not copied.
    let skipped = 0;
    while (
      skipped < batch.messages.length &&
      BigInt((batch.messages[skipped] as KafkaMessage).offset) < floor
    )
      skipped++;
    const pending = skipped === 0 ? batch.messages : batch.messages.slice(skipped);
    if (skipped > 0) {
      // Already committed by the previous owner: move the fetch position past them.
      resolveOffset((batch.messages[skipped - 1] as KafkaMessage).offset);
      if (pending.length === 0) stall.progress(key, this.now(), false);
    }
    const max = this.options.maxRecordsPerTransaction ?? 500;
    const input = this.inputs.get(topic) as LoopInput;
    const keepGoing = () =>
      generation === this.consumerGeneration &&
      isRunning() &&
      !isStale() &&
      !owners.stopping &&
      !this.rebalancing &&
      owners.open.get(partition) === part;
    for (let i = 0; i < pending.length; i += max) {
      if (!keepGoing()) return;
      const messages = pending.slice(i, i + max);
      const lastChunk = i + max >= pending.length;
      // The last chunk commits past the control records (transaction markers) that end the
      // batch, so a caught-up partition has no lag.
      const lastData = BigInt((messages[messages.length - 1] as KafkaMessage).offset);
      const lastOfBatch = BigInt(batch.lastOffset());
      const next = (lastChunk && lastOfBatch > lastData ? lastOfBatch : lastData) + 1n;
      try {
        const chunk = { part, input, messages, next };
        const done = await owners.lock.run(partition, () =>
          processChunk(this.options, this.now, chunk, heartbeat, keepGoing),
        );
        if (!done) return;
      } catch (error) {
        if (error instanceof FencedError) {
          await owners.letGo(part, topic);
          return;
        }
        if (error instanceof ProducerWedgedError) {
          // Nothing resolved: the batch is fetched again and filtered by the re-read offsets.
          await owners.reopen(part, topic, error);
          return;
        }
        if (error instanceof PermanentKafkaError) {
          await this.health.halt(part, topic, messages[0] as KafkaMessage, error, payload.pause);
          return;
        }
        if (isRebalance(error)) {
          // Thrown on so kafkajs rejoins now; the other partitions' retries stop too.
          this.rebalancing = true;
          this.unjoinedSince ??= this.now();
          logger.warn({ topic, partition }, 'group rebalancing: retry given up to rejoin');
        }
        throw error;
      }
      part.nextOffset.set(topic, next);
      resolveOffset((next - 1n).toString());
      stall.progress(key, this.now(), !lastChunk);
      const lag = BigInt(batch.highWatermark) - next;
      metrics.consumerLag.set({ topic, partition: String(partition) }, Number(lag > 0n ? lag : 0n));
      await heartbeat();
    }
  }
}
