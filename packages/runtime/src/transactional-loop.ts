import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Message, Producer, Transaction } from 'kafkajs';
import { isRetriable, type RecordName, type Serde } from '@healstream/contracts';
import { deadLetter, errorCode } from './dead-letter.js';
import type { Logger } from './logger.js';
import type { LoopMetrics } from './metrics.js';
import { backoffDelay } from './backoff.js';

/** One decoded input record. */
export interface InboundRecord<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  /** The record's timestamp (epoch ms): the clock of the pure logic. */
  timestamp: number;
  headers: KafkaMessage['headers'];
}

/** An output: an Avro record for a registered topic, or raw bytes (changelogs, dead letters). */
export type Outbound =
  | { topic: string; key: string; value: unknown; headers?: Record<string, string> }
  | { topic: string; key: string; raw: Buffer | null; headers?: Record<string, string> };

export type Emit = (out: Outbound) => void;

/**
 * The logic for one input partition. `handle` must not change state it keeps when it throws;
 * state changed by handled records becomes final at `committed` and is discarded at `aborted`
 * (the transaction's records are then processed again).
 */
export interface PartitionHandler<T> {
  handle(record: InboundRecord<T>, emit: Emit): Promise<void> | void;
  /** Last outputs of the transaction, e.g. changelog records of the state it changed. */
  beforeCommit?(emit: Emit): void;
  committed?(): void;
  aborted?(): void;
  close?(): void;
}

export interface LoopInput {
  topic: string;
  record: RecordName;
}

export interface TransactionalLoopOptions {
  kafka: Kafka;
  serde: Serde;
  logger: Logger;
  metrics: LoopMetrics;
  service: string;
  groupId: string;
  inputs: LoopInput[];
  /** Avro topics the handlers emit to; their schemas are registered at start. */
  outputs: LoopInput[];
  /** Builds (and restores) the handler of a newly assigned partition. */
  handlerFor(topic: string, partition: number): Promise<PartitionHandler<unknown>> | PartitionHandler<unknown>;
  /** Records per transaction at most. */
  maxRecordsPerTransaction?: number;
  /** Outputs are sent to the broker every this many records inside a transaction. */
  sendEvery?: number;
  partitionsConsumedConcurrently?: number;
  backoff?: { initialMs: number; maxMs: number };
  now?: () => number;
  sessionTimeoutMs?: number;
}

interface OpenPartition {
  topic: string;
  partition: number;
  record: RecordName;
  producer: Producer;
  handler: PartitionHandler<unknown>;
  /** Records below this offset were already processed by a previous owner. */
  nextOffset: bigint;
}

class FencedError extends Error {}

function isFenced(error: unknown): boolean {
  const e = error as { type?: string; name?: string; cause?: unknown } | undefined;
  const type = e?.type ?? '';
  return (
    type === 'INVALID_PRODUCER_EPOCH' ||
    type === 'PRODUCER_FENCED' ||
    type === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' ||
    e?.name === 'KafkaJSNonRetriableError' && isFenced(e.cause)
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Consume → process → produce, exactly once: every transaction carries the outputs, the dead
 * letters and the input offsets together, and consumers read committed only.
 *
 * Zombie fencing: kafkajs sends no group generation with transactional offsets, so each input
 * partition has its own transactional id (`<group>:<topic>:<partition>`). A new owner's
 * producer initialises that id, which fences the previous owner and completes or aborts its
 * open transaction; the new owner then reads the committed offset again and skips what the
 * previous owner already committed.
 */
export class TransactionalLoop {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private readonly open = new Map<string, OpenPartition>();
  private readonly opening = new Map<string, Promise<OpenPartition>>();
  private readonly producers = new Map<string, Producer>();
  private assignment = new Set<string>();
  private joined = false;
  private stopping = false;
  private readonly records: Map<string, RecordName>;
  private readonly now: () => number;

  constructor(private readonly options: TransactionalLoopOptions) {
    this.records = new Map(options.inputs.map((i) => [i.topic, i.record]));
    this.now = options.now ?? Date.now;
  }

  /** True once the group is joined and every assigned partition has its state restored. */
  isReady(): boolean {
    if (!this.joined || this.stopping) return false;
    for (const key of this.assignment) if (!this.open.has(key)) return false;
    return true;
  }

  async start(): Promise<void> {
    const { kafka, groupId, inputs, outputs, logger, serde } = this.options;
    for (const io of [...inputs, ...outputs]) await serde.registerTopic(io.topic, io.record);
    this.admin = kafka.admin();
    await this.admin.connect();
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 100,
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set<string>();
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) assigned.add(`${topic}:${partition}`);
      }
      for (const key of [...this.open.keys()]) {
        if (!assigned.has(key)) this.release(key);
      }
      this.assignment = assigned;
      this.joined = true;
      logger.info({ assignment: [...assigned] }, 'joined consumer group');
      // Restore newly assigned partitions now, not only when their first record arrives.
      for (const key of assigned) {
        const [topic, p] = splitKey(key);
        void this.openPartition(topic, p).catch((error: unknown) => logger.warn({ err: error, key }, 'partition open failed; retried on its next batch'));
      }
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      this.joined = false;
    });
    await consumer.connect();
    for (const input of inputs) await consumer.subscribe({ topic: input.topic, fromBeginning: true });
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
    await this.consumer?.disconnect().catch(() => {});
    for (const key of [...this.open.keys()]) this.release(key);
    await Promise.all([...this.producers.values()].map((p) => p.disconnect().catch(() => {})));
    this.producers.clear();
    await this.admin?.disconnect().catch(() => {});
  }

  private release(key: string): void {
    const part = this.open.get(key);
    this.open.delete(key);
    part?.handler.close?.();
  }

  private producerFor(topic: string, partition: number): Producer {
    const transactionalId = `${this.options.groupId}:${topic}:${partition}`;
    let producer = this.producers.get(transactionalId);
    if (!producer) {
      producer = this.options.kafka.producer({
        transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60_000,
        allowAutoTopicCreation: false,
      });
      this.producers.set(transactionalId, producer);
    }
    return producer;
  }

  private async dropProducer(topic: string, partition: number): Promise<void> {
    const transactionalId = `${this.options.groupId}:${topic}:${partition}`;
    const producer = this.producers.get(transactionalId);
    this.producers.delete(transactionalId);
    await producer?.disconnect().catch(() => {});
  }

  private openPartition(topic: string, partition: number): Promise<OpenPartition> {
    const key = `${topic}:${partition}`;
    const existing = this.open.get(key);
    if (existing) return Promise.resolve(existing);
    let pending = this.opening.get(key);
    if (!pending) {
      pending = this.doOpen(topic, partition).finally(() => this.opening.delete(key));
      this.opening.set(key, pending);
    }
    return pending;
  }

  private async doOpen(topic: string, partition: number): Promise<OpenPartition> {
    const { groupId, metrics, logger } = this.options;
    const record = this.records.get(topic);
    if (!record) throw new Error(`no input declared for topic ${topic}`);
    const producer = this.producerFor(topic, partition);
    // Initialising the transactional id fences the previous owner of this partition.
    await producer.connect();
    const [offsets] = await (this.admin as Admin).fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    const started = process.hrtime.bigint();
    const handler = await this.options.handlerFor(topic, partition);
    metrics.restoreSeconds.observe({ topic }, Number(process.hrtime.bigint() - started) / 1e9);
    const part: OpenPartition = { topic, partition, record, producer, handler, nextOffset: BigInt(committed === '-1' ? 0 : committed) };
    const key = `${topic}:${partition}`;
    if (this.assignment.size > 0 && !this.assignment.has(key)) {
      handler.close?.();
      throw new Error(`partition ${key} was revoked while it opened`);
    }
    this.open.set(key, part);
    logger.debug({ topic, partition, committed }, 'partition opened');
    return part;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const { metrics, logger } = this.options;
    let part: OpenPartition;
    try {
      part = await this.openPartition(topic, partition);
    } catch (error) {
      logger.warn({ err: error, topic, partition }, 'could not open partition; will retry');
      await sleep(500);
      return;
    }
    const pending = batch.messages.filter((m) => BigInt(m.offset) >= part.nextOffset);
    const skipped = batch.messages.length - pending.length;
    if (skipped > 0) {
      // Already committed by the previous owner: move the fetch position past them.
      resolveOffset((batch.messages[skipped - 1] as KafkaMessage).offset);
    }
    const max = this.options.maxRecordsPerTransaction ?? 500;
    for (let i = 0; i < pending.length; i += max) {
      if (!isRunning() || isStale() || this.stopping) return;
      const chunk = pending.slice(i, i + max);
      try {
        const done = await this.processChunk(part, chunk, heartbeat, () => isRunning() && !isStale() && !this.stopping);
        if (!done) return;
      } catch (error) {
        if (error instanceof FencedError) {
          logger.warn({ topic, partition }, 'fenced by a newer owner of this partition; letting it go');
          metrics.transactionAborts.inc({ topic, reason: 'fenced' });
          this.release(`${topic}:${partition}`);
          await this.dropProducer(topic, partition);
          return;
        }
        throw error;
      }
      const last = chunk[chunk.length - 1] as KafkaMessage;
      part.nextOffset = BigInt(last.offset) + 1n;
      resolveOffset(last.offset);
      metrics.consumerLag.set({ topic, partition: String(partition) }, Number(BigInt(batch.highWatermark) - part.nextOffset));
      await heartbeat();
    }
  }

  /** One transaction over the chunk, retried (whole) on retriable failures. False if stopped. */
  private async processChunk(
    part: OpenPartition,
    chunk: KafkaMessage[],
    heartbeat: () => Promise<void>,
    keepGoing: () => boolean,
  ): Promise<boolean> {
    const { serde, metrics, logger, service, groupId } = this.options;
    const { topic, partition } = part;
    const sendEvery = this.options.sendEvery ?? 200;
    for (let attempt = 0; ; attempt++) {
      const timer = metrics.processingSeconds.startTimer({ topic });
      let tx: Transaction | undefined;
      let buffered: Record<string, Message[]> = {};
      let outCounts: Record<string, number> = {};
      let dead = 0;
      const flush = async () => {
        const topicMessages = Object.entries(buffered).map(([t, messages]) => ({ topic: t, messages }));
        buffered = {};
        if (topicMessages.length > 0) await (tx as Transaction).sendBatch({ topicMessages, acks: -1 });
      };
      const push = (t: string, message: Message) => {
        (buffered[t] ??= []).push(message);
        outCounts[t] = (outCounts[t] ?? 0) + 1;
      };
      const encode = (out: Outbound): Message => ({
        key: out.key,
        value: 'raw' in out ? out.raw : serde.encode(out.topic, out.value),
        partition,
        ...(out.headers ? { headers: out.headers } : {}),
      });
      try {
        tx = await part.producer.transaction();
        for (let i = 0; i < chunk.length; i++) {
          const message = chunk[i] as KafkaMessage;
          const staged: { topic: string; message: Message }[] = [];
          try {
            const value = await serde.decode<unknown>(message.value, part.record);
            const emit: Emit = (out) => staged.push({ topic: out.topic, message: encode(out) });
            await part.handler.handle(
              { topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value, timestamp: Number(message.timestamp), headers: message.headers },
              emit,
            );
          } catch (error) {
            if (isRetriable(error)) throw error;
            staged.length = 0;
            const letter = deadLetter(message, error, { topic, partition, service, now: this.now() });
            staged.push(letter);
            dead++;
            metrics.deadLetters.inc({ topic, code: errorCode(error) });
            logger.warn({ topic, partition, offset: message.offset, code: errorCode(error), err: error }, 'record dead-lettered');
          }
          for (const s of staged) push(s.topic, s.message);
          if ((i + 1) % sendEvery === 0) await flush();
        }
        part.handler.beforeCommit?.((out) => push(out.topic, encode(out)));
        await flush();
        const last = chunk[chunk.length - 1] as KafkaMessage;
        await tx.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic, partitions: [{ partition, offset: (BigInt(last.offset) + 1n).toString() }] }],
        });
        await tx.commit();
        part.handler.committed?.();
        metrics.recordsIn.inc({ topic }, chunk.length);
        for (const [t, n] of Object.entries(outCounts)) metrics.recordsOut.inc({ topic: t }, n);
        timer();
        if (dead > 0) logger.info({ topic, partition, dead }, 'transaction committed with dead letters');
        return true;
      } catch (error) {
        outCounts = {};
        if (tx?.isActive()) await tx.abort().catch(() => {});
        part.handler.aborted?.();
        if (isFenced(error)) throw new FencedError();
        metrics.transactionAborts.inc({ topic, reason: 'retriable' });
        const delay = backoffDelay(attempt, this.options.backoff);
        logger.warn({ topic, partition, attempt, delayMs: delay, err: error }, 'transaction aborted; retrying');
        const until = Date.now() + delay;
        while (Date.now() < until) {
          if (!keepGoing()) return false;
          await sleep(Math.min(1000, until - Date.now()));
          await heartbeat().catch(() => {});
        }
        if (!keepGoing()) return false;
      }
    }
  }
}

function splitKey(key: string): [string, number] {
  const i = key.lastIndexOf(':');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}
