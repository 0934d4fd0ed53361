/** The types the transactional loop and its handlers share. */
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { RecordName, Serde, TopicHandle, ValueOf } from '@healstream/contracts';
import type { Logger } from './logger.js';
import type { LoopMetrics } from './metrics.js';

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
  /**
   * Partitions whose batches are handled at once (kafkajs' `partitionsConsumedConcurrently`,
   * default DEFAULT_PARTITIONS_CONCURRENTLY).
   */
  partitionsConsumedConcurrently?: number;
  /** The longest a fetch waits at the broker for records (default 100 ms). */
  fetchMaxWaitMs?: number;
  /** The most a fetch brings of one partition (default kafkajs' 1 MiB). */
  fetchMaxBytesPerPartition?: number;
  backoff?: { initialMs: number; maxMs: number };
  now?: () => number;
  sessionTimeoutMs?: number;
  /**
   * A consumer out of its group this long (never joined, or a rejoin that does not complete)
   * is replaced by a new one (default: 3 session timeouts, at least 30 s).
   */
  rejoinDeadlineMs?: number;
  /** Backoff while a dependency is down at start-up (default 0.5 s growing to 30 s). */
  startBackoff?: { initialMs: number; maxMs: number };
  /** A partition with input and no commit for this long is stalled: not ready. */
  stallMs?: number;
  /** How often the lag and stall metrics are refreshed. */
  watchIntervalMs?: number;
}

/** A partition number this instance owns, fenced and restored. */
export interface OpenPartition {
  partition: number;
  producer: Producer;
  handler: PartitionHandler;
  /** Per input topic: records below this offset were already processed by a previous owner. */
  nextOffset: Map<string, bigint>;
}

/** Key of one input partition (`topic\0partition`): a partition number's inputs stall one by one. */
export function stallKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

/**
 * Partitions handled at once by default. kafkajs fetches again only once every batch of the
 * last fetch is handled, and each partition's batch is its own transaction, so with fewer
 * workers than partitions with records a fetch's batches queue behind each other. 12 (every
 * partition of a 12-partition topic) cut the decision path's latency little, and in the
 * three-broker chaos run (j) a stage at 12 wrote no decision for a whole broker outage in 3 of 4
 * runs, at 3 in 1 of 5, both before kafkajs's retries were capped (docs/performance.md,
 * "Partitions handled at once"). The executor, whose batches wait on actions and health
 * checks, sets its own (EXECUTOR_PARTITIONS_CONCURRENTLY).
 */
export const DEFAULT_PARTITIONS_CONCURRENTLY = 3;
