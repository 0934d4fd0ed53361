/**
 * What an operator can trust about the partitions this instance owns: stalled (input waiting,
 * no commit for a bounded time), halted (a permanent error), and the lag read from the broker.
 */
import type { KafkaMessage, Transaction } from 'kafkajs';
import { HealstreamError } from '@healstream/contracts';
import { deadLetter } from './dead-letter.js';
import { stallKey, type OpenPartition, type TransactionalLoopOptions } from './loop-types.js';
import type { PartitionOwners } from './partition-ownership.js';
import { StallWatch } from './stall-watch.js';
import { ProducerWedgedError, type PermanentKafkaError } from './transaction-errors.js';
import { endFailed } from './transaction-writes.js';

export class PartitionHealth {
  /** Keyed `topic\0partition`: a partition number's inputs stall one by one. */
  readonly stall: StallWatch<string>;
  /** Keyed like `stall`: inputs halted by a permanent error, until the partition leaves. */
  private readonly halted = new Set<string>();
  private watching = false;

  constructor(
    private readonly options: TransactionalLoopOptions,
    private readonly owners: PartitionOwners,
    private readonly topics: readonly string[],
    private readonly now: () => number,
  ) {
    this.stall = new StallWatch(options.stallMs ?? 60_000);
  }

  /** Partition numbers with an input halted by a permanent error. */
  haltedPartitions(): number[] {
    const halted = new Set<number>();
    for (const p of this.owners.assignment)
      for (const topic of this.topics) if (this.halted.has(stallKey(topic, p))) halted.add(p);
    return [...halted].sort((a, b) => a - b);
  }

  /** Partition numbers with an input stalled now. */
  stalledPartitions(): number[] {
    const now = this.now();
    const stalled = new Set<number>();
    for (const p of this.owners.assignment)
      for (const topic of this.topics)
        if (this.stall.isStalled(stallKey(topic, p), now)) stalled.add(p);
    return [...stalled].sort((a, b) => a - b);
  }

  forgetStall(partition: number): void {
    for (const topic of this.topics) this.stall.forget(stallKey(topic, partition));
  }

  /**
   * A permanent error: stop the input's partition (paused, not ready, healstream_partition_halted
   * 1, an error log) instead of retrying it for ever, and dead-letter the record the failed
   * transaction began with, so that the escalator pages. The partition stays halted here until it
   * leaves this instance; its next owner (or a restart) tries again, and halts again with another
   * dead letter if nothing changed.
   */
  async halt(
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
    await this.owners.lock.run(partition, async () => {
      let tx: Transaction | undefined;
      let ending = false;
      try {
        tx = await part.producer.transaction();
        await tx.send({ topic: letter.topic, messages: [letter.message], acks: -1 });
        ending = true;
        await tx.commit();
        metrics.deadLetters.inc({ topic, code: 'OUTPUT_REJECTED' });
      } catch (dlqError) {
        const outcome = await endFailed(tx, ending, dlqError);
        logger.error(
          { topic, partition, err: dlqError },
          'could not dead-letter the record of a halted partition',
        );
        if (outcome instanceof ProducerWedgedError) await this.owners.reopen(part, topic, outcome);
      }
    });
  }

  /** Resumes halted inputs whose partition left this instance, so a later owner tries again. */
  unhalt(assigned: Set<number>, resume: (topic: string, partition: number) => void): void {
    for (const topic of this.topics)
      for (const p of this.owners.assignment) {
        const key = stallKey(topic, p);
        if (assigned.has(p) || !this.halted.delete(key)) continue;
        this.options.metrics.partitionHalted.remove({ topic, partition: String(p) });
        resume(topic, p);
      }
  }

  /**
   * Refreshes the stall gauge, and the lag from the broker: the last stable offset minus the
   * group's committed offset, so a partition that commits nothing shows its lag growing.
   */
  async watch(): Promise<void> {
    const admin = this.owners.admin;
    if (this.watching || !admin) return;
    this.watching = true;
    const { metrics, groupId, logger } = this.options;
    const assignment = this.owners.assignment;
    try {
      const now = this.now();
      metrics.partitionStalled.reset();
      for (const topic of this.topics)
        for (const p of assignment)
          metrics.partitionStalled.set(
            { topic, partition: String(p) },
            this.stall.isStalled(stallKey(topic, p), now) ? 1 : 0,
          );
      for (const topic of this.topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const end of ends) {
          if (!this.owners.assignment.has(end.partition)) continue;
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
}
