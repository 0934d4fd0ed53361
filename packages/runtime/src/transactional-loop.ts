import { setTimeout as sleep } from 'node:timers/promises';
import type {
  Admin,
  Consumer,
  EachBatchPayload,
  Kafka,
  KafkaMessage,
  Message,
  Producer,
  Transaction,
} from 'kafkajs';
import {
  HealstreamError,
  isRetriable,
  type RecordName,
  type Serde,
  type TopicHandle,
  type ValueOf,
} from '@healstream/contracts';
import { deadLetter, errorCode } from './dead-letter.js';
import type { Logger } from './logger.js';
import type { LoopMetrics } from './metrics.js';
import { backoffDelay } from './backoff.js';
import { coPartitionAssigner } from './co-partition-assigner.js';
import { KeyedLock } from './partition-lock.js';
import { StallWatch } from './stall-watch.js';
import {
  FencedError,
  PermanentKafkaError,
  ProducerWedgedError,
  isFenced,
  transactionOutcome,
} from './transaction-errors.js';
import { retryWhileTransient } from './retry-transient.js';

/** One decoded input record. */
export interface InboundRecord<T = unknown, L extends string = string> {
  /** The logical name of the input it came from: switch on it to get `value` typed. */
  logical: L;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  /** The record's timestamp (epoch ms): the clock of the pure logic. */
  timestamp: number;
  headers: KafkaMessage['headers'];
}

/**
 * An output: an Avro record for a registered topic, or raw bytes (changelogs, dead letters).
 * It goes to the input's partition number, so a component's story stays on one partition
 * number whatever partitioner its producer used, unless `partition` says otherwise (records
 * about the whole fleet meet on one partition).
 */
export type Outbound =
  | {
      topic: string;
      key: string;
      value: unknown;
      headers?: Record<string, string>;
      partition?: number;
    }
  | {
      topic: string;
      key: string;
      raw: Buffer | null;
      headers?: Record<string, string>;
      partition?: number;
    };

export type Emit = (out: Outbound) => void;

/**
 * The records of a set of inputs: a union discriminated by `logical`, each with the value type
 * its topic carries, so `switch (record.logical)` hands the handler a typed value.
 */
export type InboundOf<H extends TopicHandle> =
  H extends TopicHandle<infer L> ? InboundRecord<ValueOf<H>, L> : never;

/**
 * The logic for one partition number, across every input topic (co-partitioned: partition p of
 * each input is handled here, one transaction at a time). `handle` must not change state it
 * keeps when it throws; state changed by handled records becomes final at `committed` and is
 * discarded at `aborted` (the transaction's records are then processed again).
 */
export interface PartitionHandler<R = InboundRecord> {
  handle(record: R, emit: Emit): Promise<void> | void;
  /** Last outputs of the transaction, e.g. changelog records of the state it changed. */
  beforeCommit?(emit: Emit): void;
  committed?(): void;
  aborted?(): void;
  close?(): void;
}

/** An input topic: an Avro record it carries, or 'raw' to hand the handler the bytes. */
export type LoopInput = TopicHandle;

export interface LoopOutput {
  topic: string;
  record: RecordName;
}

/** What a partition's handler may do besides handling records. */
export interface PartitionContext {
  partition: number;
  /**
   * Commits records in a transaction of the partition's producer, one at a time with the
   * partition's record transactions. For work that finishes outside a record (an action that
   * ran, a page that was delivered). Fails if the partition was lost to another owner.
   */
  produce(records: Outbound[]): Promise<void>;
  /** Whether this instance still owns the partition. */
  owned(): boolean;
}

export interface TransactionalLoopOptions {
  kafka: Kafka;
  serde: Serde;
  logger: Logger;
  metrics: LoopMetrics;
  service: string;
  groupId: string;
  inputs: readonly LoopInput[];
  /** Avro topics the handlers emit to; their schemas are registered at start. */
  outputs: readonly LoopOutput[];
  /**
   * Builds (and restores) the handler of a newly assigned partition number. It runs after the
   * partition's producer has fenced any previous owner; `write` commits records (e.g. a restore
   * marker) in a transaction of that producer, during open only.
   */
  open(
    partition: number,
    write: (records: Outbound[]) => Promise<void>,
    context: PartitionContext,
  ): Promise<PartitionHandler> | PartitionHandler;
  /** Records per transaction at most. */
  maxRecordsPerTransaction?: number;
  /** Outputs are sent to the broker every this many records inside a transaction. */
  sendEvery?: number;
  partitionsConsumedConcurrently?: number;
  backoff?: { initialMs: number; maxMs: number };
  now?: () => number;
  sessionTimeoutMs?: number;
  /** Backoff while a dependency is down at start-up (default 0.5 s growing to 30 s). */
  startBackoff?: { initialMs: number; maxMs: number };
  /** A partition with input and no commit for this long is stalled: not ready. */
  stallMs?: number;
  /** How often the lag and stall metrics are refreshed. */
  watchIntervalMs?: number;
}

interface OpenPartition {
  partition: number;
  producer: Producer;
  handler: PartitionHandler;
  /** Per input topic: records below this offset were already processed by a previous owner. */
  nextOffset: Map<string, bigint>;
}

function stallKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
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
 */
export class TransactionalLoop {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private readonly open = new Map<number, OpenPartition>();
  private readonly opening = new Map<number, Promise<OpenPartition>>();
  private readonly producers = new Map<number, Producer>();
  /** This instance's member id in its group, as of its last join. */
  private memberId: string | undefined;
  private readonly lock = new KeyedLock<number>();
  private assignment = new Set<number>();
  private joined = false;
  private stopping = false;
  private readonly inputs: Map<string, LoopInput>;
  private readonly now: () => number;
  /** Keyed `topic\0partition`: a partition number's inputs stall one by one. */
  private readonly stall: StallWatch<string>;
  /** Keyed like `stall`: inputs halted by a permanent error, until the partition leaves. */
  private readonly halted = new Set<string>();
  private watchTimer: NodeJS.Timeout | undefined;
  private watching = false;

  constructor(private readonly options: TransactionalLoopOptions) {
    this.inputs = new Map(options.inputs.map((i) => [i.topic, i]));
    this.now = options.now ?? Date.now;
    this.stall = new StallWatch(options.stallMs ?? 60_000);
  }

  /**
   * True once the group is joined, every assigned partition has its state restored, and no
   * partition is stalled (input waiting, no commit for `stallMs`) or halted (permanent error).
   */
  isReady(): boolean {
    if (!this.joined || this.stopping) return false;
    for (const p of this.assignment) if (!this.open.has(p)) return false;
    return this.stalledPartitions().length === 0 && this.haltedPartitions().length === 0;
  }

  /** Partition numbers with an input halted by a permanent error. */
  haltedPartitions(): number[] {
    const halted = new Set<number>();
    for (const p of this.assignment)
      for (const topic of this.inputs.keys())
        if (this.halted.has(stallKey(topic, p))) halted.add(p);
    return [...halted].sort((a, b) => a - b);
  }

  /** Partition numbers with an input stalled now. */
  stalledPartitions(): number[] {
    const now = this.now();
    const stalled = new Set<number>();
    for (const p of this.assignment)
      for (const topic of this.inputs.keys())
        if (this.stall.isStalled(stallKey(topic, p), now)) stalled.add(p);
    return [...stalled].sort((a, b) => a - b);
  }

  /** Partition numbers this instance owns now. */
  assignedPartitions(): number[] {
    return [...this.assignment].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    const { kafka, groupId, inputs, outputs, logger, serde } = this.options;
    // A registry that is down at start-up is waited for (not ready meanwhile), not an exit.
    await retryWhileTransient(
      'registering schemas',
      async () => {
        for (const io of [...inputs, ...outputs])
          if (io.record !== 'raw') await serde.registerTopic(io.topic, io.record);
      },
      {
        logger,
        stopped: () => this.stopping,
        ...(this.options.startBackoff ? { backoff: this.options.startBackoff } : {}),
      },
    );
    if (this.stopping) return;
    this.admin = kafka.admin();
    await this.admin.connect();
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      rebalanceTimeout: 60_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 100,
      partitionAssigners: [coPartitionAssigner(() => this.assignedPartitions())],
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
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
          { partitions: [...this.open.keys()] },
          'rejoined the group as a new member: reopening every partition',
        );
        for (const p of [...this.open.keys()]) this.release(p);
      }
      for (const p of [...this.open.keys()]) if (!assigned.has(p)) this.release(p);
      for (const p of this.assignment) if (!assigned.has(p)) this.forgetStall(p);
      this.unhalt(assigned);
      for (const p of [...this.producers.keys()]) if (!assigned.has(p)) void this.dropProducer(p);
      this.assignment = assigned;
      this.joined = true;
      logger.info({ partitions: this.assignedPartitions() }, 'joined consumer group');
      // Restore newly assigned partitions now, not only when their first record arrives.
      for (const p of assigned) {
        void this.openPartition(p).catch((error: unknown) =>
          logger.warn(
            { err: error, partition: p },
            'partition open failed; retried on its next batch',
          ),
        );
      }
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      this.joined = false;
    });
    await consumer.connect();
    for (const input of inputs)
      await consumer.subscribe({ topic: input.topic, fromBeginning: true });
    this.watchTimer = setInterval(() => void this.watch(), this.options.watchIntervalMs ?? 5000);
    this.watchTimer.unref();
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Stops consuming, lets the in-flight transaction finish, and disconnects everything. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchTimer);
    await this.consumer?.disconnect().catch(() => {});
    for (const p of [...this.open.keys()]) this.release(p);
    await Promise.all(
      [...this.producers.values()].map((producer) => producer.disconnect().catch(() => {})),
    );
    this.producers.clear();
    await this.admin?.disconnect().catch(() => {});
  }

  /**
   * A permanent error: stop the input's partition (paused, not ready, healstream_partition_halted
   * 1, an error log) instead of retrying it for ever, and dead-letter the record the failed
   * transaction began with, so that the escalator pages. The partition stays halted here until it
   * leaves this instance; its next owner (or a restart) tries again, and halts again with another
   * dead letter if nothing changed.
   */
  private async halt(
    part: OpenPartition,
    topic: string,
    first: KafkaMessage,
    error: PermanentKafkaError,
    pause: () => void,
  ): Promise<void> {
    const { partition } = part;
    const { logger, metrics, service } = this.options;
    pause();
    this.halted.add(stallKey(topic, partition));
    metrics.partitionHalted.set({ topic, partition: String(partition) }, 1);
    logger.error(
      { topic, partition, offset: first.offset, code: 'OUTPUT_REJECTED', kafkaError: error.type },
      'the broker refuses this transaction for good; partition halted, its first record dead-lettered',
    );
    const reason = new HealstreamError('OUTPUT_REJECTED', error.message, {
      retriable: false,
      cause: error.cause,
    });
    const letter = deadLetter(first, reason, { topic, partition, service, now: this.now() });
    // Under the partition's lock: its other inputs may be running transactions on this producer.
    await this.lock.run(partition, async () => {
      let tx: Transaction | undefined;
      let ending = false;
      try {
        tx = await part.producer.transaction();
        await tx.send({ topic: letter.topic, messages: [letter.message], acks: -1 });
        ending = true;
        await tx.commit();
        metrics.deadLetters.inc({ topic, code: 'OUTPUT_REJECTED' });
      } catch (dlqError) {
        const outcome = await this.endFailed(tx, ending, dlqError);
        logger.error(
          { topic, partition, err: dlqError },
          'could not dead-letter the record of a halted partition',
        );
        if (outcome instanceof ProducerWedgedError) await this.reopen(part, topic, outcome);
      }
    });
  }

  /** Resumes halted inputs whose partition left this instance, so a later owner tries again. */
  private unhalt(assigned: Set<number>): void {
    for (const topic of this.inputs.keys())
      for (const p of this.assignment) {
        const key = stallKey(topic, p);
        if (assigned.has(p) || !this.halted.delete(key)) continue;
        this.options.metrics.partitionHalted.remove({ topic, partition: String(p) });
        this.consumer?.resume([{ topic, partitions: [p] }]);
      }
  }

  private forgetStall(partition: number): void {
    for (const topic of this.inputs.keys()) this.stall.forget(stallKey(topic, partition));
  }

  /**
   * Refreshes the stall gauge, and the lag from the broker: the last stable offset minus the
   * group's committed offset, so a partition that commits nothing shows its lag growing.
   */
  private async watch(): Promise<void> {
    if (this.watching || !this.admin) return;
    this.watching = true;
    const { metrics, groupId, logger } = this.options;
    try {
      const now = this.now();
      metrics.partitionStalled.reset();
      for (const topic of this.inputs.keys())
        for (const p of this.assignment)
          metrics.partitionStalled.set(
            { topic, partition: String(p) },
            this.stall.isStalled(stallKey(topic, p), now) ? 1 : 0,
          );
      for (const topic of this.inputs.keys()) {
        const ends = await this.admin.fetchTopicOffsets(topic);
        const [committed] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
        for (const end of ends) {
          if (!this.assignment.has(end.partition)) continue;
          const offset = committed?.partitions.find((c) => c.partition === end.partition)?.offset;
          const from = offset === undefined || offset === '-1' ? BigInt(end.low) : BigInt(offset);
          const lag = BigInt(end.high) - from;
          metrics.consumerLag.set(
            { topic, partition: String(end.partition) },
            Number(lag > 0n ? lag : 0n),
          );
        }
      }
    } catch (error) {
      logger.debug({ err: error }, 'lag refresh failed; tried again on the next tick');
    } finally {
      this.watching = false;
    }
  }

  private release(partition: number): void {
    const part = this.open.get(partition);
    this.open.delete(partition);
    part?.handler.close?.();
  }

  private producerFor(partition: number): Producer {
    let producer = this.producers.get(partition);
    if (!producer) {
      producer = this.options.kafka.producer({
        transactionalId: `${this.options.groupId}:${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60_000,
        allowAutoTopicCreation: false,
      });
      this.producers.set(partition, producer);
    }
    return producer;
  }

  private async letGo(part: OpenPartition, topic: string): Promise<void> {
    const { partition } = part;
    if (this.open.get(partition) !== part) return;
    this.options.logger.warn(
      { topic, partition },
      'fenced by a newer owner of this partition; letting it go',
    );
    this.options.metrics.transactionAborts.inc({ topic, reason: 'fenced' });
    this.release(partition);
    this.forgetStall(partition);
    if (this.producers.get(partition) === part.producer) await this.dropProducer(partition);
  }

  private async dropProducer(partition: number): Promise<void> {
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    await producer?.disconnect().catch(() => {});
  }

  private openPartition(partition: number): Promise<OpenPartition> {
    const existing = this.open.get(partition);
    if (existing) return Promise.resolve(existing);
    let pending = this.opening.get(partition);
    if (!pending) {
      pending = this.lock
        .run(partition, () => this.doOpen(partition))
        .finally(() => this.opening.delete(partition));
      this.opening.set(partition, pending);
    }
    return pending;
  }

  private encode(out: Outbound, partition: number): Message {
    return {
      key: out.key,
      value: 'raw' in out ? out.raw : this.options.serde.encode(out.topic, out.value),
      partition: out.partition ?? partition,
      ...(out.headers ? { headers: out.headers } : {}),
    };
  }

  private async doOpen(partition: number): Promise<OpenPartition> {
    const { groupId, metrics, logger, inputs } = this.options;
    // A producer kept from an earlier ownership may have been fenced since: always start fresh.
    await this.dropProducer(partition);
    const producer = this.producerFor(partition);
    await producer.connect();
    // connect() does not initialise the transactional id: an empty transaction does
    // (InitProducerId). It fences the previous owner and settles its open transaction, and must
    // come before the offsets are read, or a commit of that owner in between is replayed here.
    const fence = await producer.transaction();
    await fence.abort();
    const nextOffset = new Map<string, bigint>();
    for (const { topic } of inputs) {
      const [offsets] = await (this.admin as Admin).fetchOffsets({ groupId, topics: [topic] });
      const committed = offsets?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      nextOffset.set(topic, BigInt(committed === '-1' ? 0 : committed));
    }
    const write = (records: Outbound[]) => this.commitRecords(producer, partition, records);
    const context: PartitionContext = {
      partition,
      owned: () => this.open.get(partition)?.producer === producer && !this.stopping,
      produce: (records) =>
        this.lock.run(partition, async () => {
          const part = this.open.get(partition);
          if (!context.owned() || !part)
            throw new Error(`partition ${partition} is no longer owned by this instance`);
          try {
            await this.commitRecords(producer, partition, records);
          } catch (error) {
            const topic = records[0]?.topic ?? '';
            if (error instanceof ProducerWedgedError) await this.reopen(part, topic, error);
            else if (error instanceof FencedError) await this.letGo(part, topic);
            throw error;
          }
        }),
    };
    const started = process.hrtime.bigint();
    const handler = await this.options.open(partition, write, context);
    metrics.restoreSeconds.observe(
      { topic: String(partition) },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    if (this.assignment.size > 0 && !this.assignment.has(partition)) {
      handler.close?.();
      throw new Error(`partition ${partition} was revoked while it opened`);
    }
    const part: OpenPartition = { partition, producer, handler, nextOffset };
    this.open.set(partition, part);
    logger.debug(
      {
        partition,
        offsets: Object.fromEntries([...nextOffset].map(([t, o]) => [t, o.toString()])),
      },
      'partition opened',
    );
    return part;
  }

  private async commitRecords(
    producer: Producer,
    partition: number,
    records: Outbound[],
  ): Promise<void> {
    const tx = await producer.transaction();
    let ending = false;
    try {
      const byTopic = new Map<string, Message[]>();
      for (const r of records) {
        const list = byTopic.get(r.topic) ?? [];
        list.push(this.encode(r, partition));
        byTopic.set(r.topic, list);
      }
      await tx.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        acks: -1,
      });
      ending = true;
      await tx.commit();
      for (const [topic, messages] of byTopic)
        this.options.metrics.recordsOut.inc({ topic }, messages.length);
    } catch (error) {
      throw await this.endFailed(tx, ending, error);
    }
  }

  /**
   * After a failed transaction: aborts it when it is still open and says what the caller must
   * do: FencedError (let the partition go), ProducerWedgedError (reopen it), or the error itself
   * (retry on the same producer).
   */
  private async endFailed(tx: Transaction | undefined, ending: boolean, error: unknown) {
    let abort: 'not needed' | 'done' | 'fenced' | 'failed' = 'not needed';
    if (!ending && tx?.isActive()) {
      abort = await tx.abort().then(
        () => 'done' as const,
        (abortError: unknown) => (isFenced(abortError) ? 'fenced' : 'failed'),
      );
    }
    return transactionOutcome(error, ending, abort);
  }

  /**
   * Drops the partition's producer and opens the partition again: the new producer's
   * InitProducerId settles the transaction left in doubt, then the committed offsets are read
   * again and the handler's state restored from what was really committed.
   */
  private async reopen(
    part: OpenPartition,
    topic: string,
    error: ProducerWedgedError,
  ): Promise<void> {
    const { partition } = part;
    const { logger, metrics } = this.options;
    if (this.open.get(partition) !== part) return;
    logger.warn(
      { topic, partition, err: error.cause },
      'transaction could not be ended; reopening the partition with a new producer',
    );
    metrics.transactionAborts.inc({ topic, reason: 'producer-reset' });
    this.release(partition);
    if (this.producers.get(partition) === part.producer) await this.dropProducer(partition);
    if (this.stopping || !this.assignment.has(partition)) return;
    void this.openPartition(partition).catch((openError: unknown) =>
      logger.warn(
        { err: openError, partition },
        'partition open failed; retried on its next batch',
      ),
    );
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const { metrics, logger } = this.options;
    const key = stallKey(topic, partition);
    if (batch.messages.length > 0) this.stall.input(key, this.now());
    let part: OpenPartition;
    try {
      part = await this.openPartition(partition);
    } catch (error) {
      logger.warn({ err: error, topic, partition }, 'could not open partition; will retry');
      await sleep(500);
      return;
    }
    const floor = part.nextOffset.get(topic) ?? 0n;
    const pending = batch.messages.filter((m) => BigInt(m.offset) >= floor);
    const skipped = batch.messages.length - pending.length;
    if (skipped > 0) {
      // Already committed by the previous owner: move the fetch position past them.
      resolveOffset((batch.messages[skipped - 1] as KafkaMessage).offset);
      if (pending.length === 0) this.stall.progress(key, this.now(), false);
    }
    const max = this.options.maxRecordsPerTransaction ?? 500;
    const keepGoing = () =>
      isRunning() && !isStale() && !this.stopping && this.open.get(partition) === part;
    for (let i = 0; i < pending.length; i += max) {
      if (!keepGoing()) return;
      const chunk = pending.slice(i, i + max);
      const lastChunk = i + max >= pending.length;
      // The last chunk commits past the control records (transaction markers) that end the
      // batch, so a caught-up partition has no lag.
      const lastData = BigInt((chunk[chunk.length - 1] as KafkaMessage).offset);
      const lastOfBatch = BigInt(batch.lastOffset());
      const next = (lastChunk && lastOfBatch > lastData ? lastOfBatch : lastData) + 1n;
      try {
        const done = await this.lock.run(partition, () =>
          this.processChunk(part, topic, chunk, next, heartbeat, keepGoing),
        );
        if (!done) return;
      } catch (error) {
        if (error instanceof FencedError) {
          await this.letGo(part, topic);
          return;
        }
        if (error instanceof ProducerWedgedError) {
          // Nothing resolved: the batch is fetched again and filtered by the re-read offsets.
          await this.reopen(part, topic, error);
          return;
        }
        if (error instanceof PermanentKafkaError) {
          await this.halt(part, topic, chunk[0] as KafkaMessage, error, payload.pause);
          return;
        }
        throw error;
      }
      part.nextOffset.set(topic, next);
      resolveOffset((next - 1n).toString());
      this.stall.progress(key, this.now(), !lastChunk);
      const lag = BigInt(batch.highWatermark) - next;
      metrics.consumerLag.set({ topic, partition: String(partition) }, Number(lag > 0n ? lag : 0n));
      await heartbeat();
    }
  }

  /** One transaction over the chunk, retried (whole) on retriable failures. False if stopped. */
  private async processChunk(
    part: OpenPartition,
    topic: string,
    chunk: KafkaMessage[],
    next: bigint,
    heartbeat: () => Promise<void>,
    keepGoing: () => boolean,
  ): Promise<boolean> {
    const { serde, metrics, logger, service, groupId } = this.options;
    const { partition } = part;
    const { logical, record } = this.inputs.get(topic) as LoopInput;
    const sendEvery = this.options.sendEvery ?? 200;
    for (let attempt = 0; ; attempt++) {
      if (!keepGoing()) return false;
      const timer = metrics.processingSeconds.startTimer({ topic });
      let tx: Transaction | undefined;
      let buffered: Record<string, Message[]> = {};
      const outCounts: Record<string, number> = {};
      let dead = 0;
      const flush = async () => {
        const topicMessages = Object.entries(buffered).map(([t, messages]) => ({
          topic: t,
          messages,
        }));
        buffered = {};
        if (topicMessages.length > 0)
          await (tx as Transaction).sendBatch({ topicMessages, acks: -1 });
      };
      const push = (t: string, message: Message) => {
        (buffered[t] ??= []).push(message);
        outCounts[t] = (outCounts[t] ?? 0) + 1;
      };
      let ending = false;
      try {
        tx = await part.producer.transaction();
        for (let i = 0; i < chunk.length; i++) {
          const message = chunk[i] as KafkaMessage;
          const staged: { topic: string; message: Message }[] = [];
          try {
            const value =
              record === 'raw' ? message.value : await serde.decode<unknown>(message.value, record);
            const emit: Emit = (out) =>
              staged.push({ topic: out.topic, message: this.encode(out, partition) });
            await part.handler.handle(
              {
                logical,
                topic,
                partition,
                offset: message.offset,
                key: message.key?.toString() ?? null,
                value,
                timestamp: Number(message.timestamp),
                headers: message.headers,
              },
              emit,
            );
          } catch (error) {
            if (isRetriable(error)) throw error;
            staged.length = 0;
            staged.push(deadLetter(message, error, { topic, partition, service, now: this.now() }));
            dead++;
            metrics.deadLetters.inc({ topic, code: errorCode(error) });
            logger.warn(
              { topic, partition, offset: message.offset, code: errorCode(error), err: error },
              'record dead-lettered',
            );
          }
          for (const s of staged) push(s.topic, s.message);
          if ((i + 1) % sendEvery === 0) await flush();
        }
        part.handler.beforeCommit?.((out) => push(out.topic, this.encode(out, partition)));
        await flush();
        await tx.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic, partitions: [{ partition, offset: next.toString() }] }],
        });
        ending = true;
        await tx.commit();
        part.handler.committed?.();
        metrics.recordsIn.inc({ topic }, chunk.length);
        for (const [t, n] of Object.entries(outCounts)) metrics.recordsOut.inc({ topic: t }, n);
        timer();
        if (dead > 0)
          logger.info({ topic, partition, dead }, 'transaction committed with dead letters');
        return true;
      } catch (error) {
        const outcome = await this.endFailed(tx, ending, error);
        part.handler.aborted?.();
        if (
          outcome instanceof FencedError ||
          outcome instanceof ProducerWedgedError ||
          outcome instanceof PermanentKafkaError
        )
          throw outcome;
        metrics.transactionAborts.inc({ topic, reason: 'retriable' });
        const delay = backoffDelay(attempt, this.options.backoff);
        logger.warn(
          { topic, partition, attempt, delayMs: delay, err: error },
          'transaction aborted; retrying',
        );
        const until = Date.now() + delay;
        while (Date.now() < until) {
          if (!keepGoing()) return false;
          await sleep(Math.min(1000, until - Date.now()));
          await heartbeat().catch(() => {});
        }
      }
    }
  }
}
