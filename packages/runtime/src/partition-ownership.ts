/**
 * Which partition numbers this instance owns, and the one way each is taken over: fence the
 * previous owner, read the committed offsets, restore the handler. Also the two ways an
 * ownership ends early: fenced by a newer owner (let go), or a producer that can run no
 * transaction again (reopen with a new one).
 */
import type { Admin, Producer } from 'kafkajs';
import type {
  OpenPartition,
  Outbound,
  PartitionContext,
  TransactionalLoopOptions,
} from './loop-types.js';
import { backoffDelay } from './backoff.js';
import { KeyedLock } from './partition-lock.js';
import { FencedError, ProducerWedgedError } from './transaction-errors.js';
import { commitRecords } from './transaction-writes.js';

export class PartitionOwners {
  readonly open = new Map<number, OpenPartition>();
  private readonly opening = new Map<number, Promise<OpenPartition>>();
  private readonly producers = new Map<number, Producer>();
  /** One transaction at a time per partition number, across its inputs and its context. */
  readonly lock = new KeyedLock<number>();
  /** The partition numbers the group assigned this instance at its last join. */
  assignment = new Set<number>();
  stopping = false;
  admin: Admin | undefined;

  constructor(
    private readonly options: TransactionalLoopOptions,
    /** Called when a fenced partition is let go, to forget its stall clock. */
    private readonly onLetGo: (partition: number) => void,
  ) {}

  /** The open partition, opening it (once, under its lock) if it is not yet. */
  openPartition(partition: number): Promise<OpenPartition> {
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

  /**
   * Opens in the background, trying again with backoff while the partition stays assigned here.
   * Waiting for its next batch instead is not enough: a partition whose input is quiet (a fresh
   * deployment, or an open fenced by a member that held it a moment during the same rebalance)
   * gets no batch, and an assigned partition that is not open keeps the instance unready.
   */
  openSoon(partition: number, attempt = 0): void {
    void this.openPartition(partition).catch((error: unknown) => {
      const delayMs = backoffDelay(attempt, { initialMs: 500, maxMs: 10_000 });
      this.options.logger.warn(
        { err: error, partition, delayMs },
        'partition open failed; trying again',
      );
      setTimeout(() => {
        if (this.stopping || !this.assignment.has(partition) || this.open.has(partition)) return;
        this.openSoon(partition, attempt + 1);
      }, delayMs).unref();
    });
  }

  release(partition: number): void {
    const part = this.open.get(partition);
    this.open.delete(partition);
    part?.handler.close?.();
  }

  /** Drops the producers of partition numbers no longer assigned here. */
  dropUnassignedProducers(assigned: Set<number>): void {
    for (const p of [...this.producers.keys()]) if (!assigned.has(p)) void this.dropProducer(p);
  }

  /** Releases every partition and disconnects every producer. */
  async close(): Promise<void> {
    for (const p of [...this.open.keys()]) this.release(p);
    await Promise.all(
      [...this.producers.values()].map((producer) => producer.disconnect().catch(() => {})),
    );
    this.producers.clear();
  }

  async letGo(part: OpenPartition, topic: string): Promise<void> {
    const { partition } = part;
    if (this.open.get(partition) !== part) return;
    this.options.logger.warn(
      { topic, partition },
      'fenced by a newer owner of this partition; letting it go',
    );
    this.options.metrics.transactionAborts.inc({ topic, reason: 'fenced' });
    this.release(partition);
    this.onLetGo(partition);
    if (this.producers.get(partition) === part.producer) await this.dropProducer(partition);
  }

  /**
   * Drops the partition's producer and opens the partition again: the new producer's
   * InitProducerId settles the transaction left in doubt, then the committed offsets are read
   * again and the handler's state restored from what was really committed.
   */
  async reopen(part: OpenPartition, topic: string, error: ProducerWedgedError): Promise<void> {
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
    this.openSoon(partition);
  }

  private producerFor(partition: number): Producer {
    let producer = this.producers.get(partition);
    if (!producer) {
      producer = this.options.kafka.producer({
        transactionalId: `${this.options.groupId}:${partition}`,
        idempotent: true,
        // Two: a transaction's last produce and its offsets' requests go at once
        // (chunk-transaction.ts). A transaction never has two produce requests in flight.
        maxInFlightRequests: 2,
        transactionTimeout: 60_000,
        allowAutoTopicCreation: false,
      });
      this.producers.set(partition, producer);
    }
    return producer;
  }

  private async dropProducer(partition: number): Promise<void> {
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    await producer?.disconnect().catch(() => {});
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
    const write = (records: Outbound[]) => this.commit(producer, partition, records);
    const context = this.contextFor(partition, producer);
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

  /** What the handler of one ownership may do: commit through that ownership's producer only. */
  private contextFor(partition: number, producer: Producer): PartitionContext {
    const context: PartitionContext = {
      partition,
      owned: () => this.open.get(partition)?.producer === producer && !this.stopping,
      produce: (records) =>
        this.lock.run(partition, async () => {
          const part = this.open.get(partition);
          if (!context.owned() || !part)
            throw new Error(`partition ${partition} is no longer owned by this instance`);
          try {
            await this.commit(producer, partition, records);
          } catch (error) {
            const topic = records[0]?.topic ?? '';
            if (error instanceof ProducerWedgedError) await this.reopen(part, topic, error);
            else if (error instanceof FencedError) await this.letGo(part, topic);
            throw error;
          }
        }),
    };
    return context;
  }

  private commit(producer: Producer, partition: number, records: Outbound[]): Promise<void> {
    return commitRecords(producer, partition, records, this.options.serde, this.options.metrics);
  }
}
