import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { TransientError } from '@healstream/contracts';
import type { Logger } from './logger.js';
import { copyJson } from './json-copy.js';
import { deleteThrowawayGroup } from './topics-admin.js';
import type { Emit, Outbound } from './transactional-loop.js';

const MARKER_KEY = '__restore__';

/** Keyed state as handlers read and write it: a PartitionState, or a record's scratch over one. */
export interface KeyValue<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
  keys(): string[];
}

/** A partition's keyed state as a handler's transaction drives it. */
export interface TransactionalState<V> extends KeyValue<V> {
  beforeCommit(emit: Emit): void;
  committed(): void;
  aborted(): void;
}

/**
 * One partition's keyed state, changed inside a transaction: writes go to an overlay that
 * `committed` makes final and `aborted` throws away; `beforeCommit` emits every changed key to
 * the compacted changelog (a null value deletes it). The overlay is the transaction's dirty
 * set: a key changed by a thousand records is serialised once, at the end.
 */
export class PartitionState<V> implements TransactionalState<V> {
  private readonly committedValues = new Map<string, V>();
  private readonly overlay = new Map<string, V | null>();
  private encode: (key: string, value: V) => string = (_key, value) => JSON.stringify(value);

  constructor(
    readonly partition: number,
    readonly changelogTopic: string,
  ) {}

  get(key: string): V | undefined {
    // One lookup for a key this transaction has touched (null: deleted in it).
    const pending = this.overlay.get(key);
    if (pending !== undefined) return pending ?? undefined;
    return this.committedValues.get(key);
  }

  set(key: string, value: V): void {
    this.overlay.set(key, value);
  }

  /**
   * The value, for the caller to change in place (then `set` it, or not: it is in the
   * transaction's dirty set either way). The first edit of a key in a transaction copies the
   * committed value into the overlay, so an abort still finds the committed one untouched; every
   * later read or edit in the transaction gets that same copy.
   */
  edit(key: string): V | undefined {
    const pending = this.overlay.get(key);
    if (pending !== undefined) return pending ?? undefined;
    const value = this.committedValues.get(key);
    if (value === undefined) return undefined;
    const copy = copyJson(value);
    this.overlay.set(key, copy);
    return copy;
  }

  delete(key: string): void {
    this.overlay.set(key, null);
  }

  /**
   * The keys that hold a value, committed ones first in their order, then those this
   * transaction added; without building a Set of them all.
   */
  keys(): string[] {
    const keys: string[] = [];
    for (const k of this.committedValues.keys()) if (this.overlay.get(k) !== null) keys.push(k);
    for (const [k, v] of this.overlay) if (v !== null && !this.committedValues.has(k)) keys.push(k);
    return keys;
  }

  /**
   * The values of `keys()`, in their order: one walk, not a lookup per key (the detector's
   * silence check walks its partition's components every second of partition time).
   */
  values(): V[] {
    const values: V[] = [];
    for (const [k, v] of this.committedValues) {
      const pending = this.overlay.get(k);
      if (pending === undefined) values.push(v);
      else if (pending !== null) values.push(pending);
    }
    for (const [k, v] of this.overlay)
      if (v !== null && !this.committedValues.has(k)) values.push(v);
    return values;
  }

  get size(): number {
    return this.keys().length;
  }

  /**
   * How a value is written to the changelog: JSON.stringify unless the state's owner knows a
   * cheaper way to the same text (the policy-evaluator's store does, keyed-encode.ts in core).
   */
  encodeWith(encode: (key: string, value: V) => string): void {
    this.encode = encode;
  }

  beforeCommit(emit: Emit): void {
    for (const [key, value] of this.overlay) {
      emit({
        topic: this.changelogTopic,
        key,
        raw: value === null ? null : Buffer.from(this.encode(key, value)),
      });
    }
  }

  committed(): void {
    for (const [key, value] of this.overlay) this.load(key, value);
    this.overlay.clear();
  }

  aborted(): void {
    this.overlay.clear();
  }

  /** Restore-time load, outside any transaction. */
  load(key: string, value: V | null): void {
    if (value === null) this.committedValues.delete(key);
    else this.committedValues.set(key, value);
  }
}

/**
 * The changes of one record over a keyed state, applied only once the record is handled: a
 * record that throws (and is dead-lettered or retried) leaves the state as it was, while the
 * records before it in the same transaction keep theirs.
 */
export class RecordScratch<V> implements KeyValue<V> {
  private readonly changes = new Map<string, V | null>();
  constructor(private readonly base: KeyValue<V>) {}

  get(key: string): V | undefined {
    return this.changes.has(key) ? (this.changes.get(key) ?? undefined) : this.base.get(key);
  }
  set(key: string, value: V): void {
    this.changes.set(key, value);
  }
  delete(key: string): void {
    this.changes.set(key, null);
  }
  keys(): string[] {
    const keys = new Set(this.base.keys());
    for (const [k, v] of this.changes) {
      if (v === null) keys.delete(k);
      else keys.add(k);
    }
    return [...keys];
  }
  apply(): void {
    for (const [k, v] of this.changes) {
      if (v === null) this.base.delete(k);
      else this.base.set(k, v);
    }
    this.changes.clear();
  }
}

interface RestoreRequest {
  partition: number;
  marker: string;
  state: PartitionState<unknown>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Restores partitions of a compacted changelog. To know where "the end" is without manual
 * partition assignment (kafkajs has none), each restore first commits a marker record through
 * the partition's fenced transactional producer, then reads the partition until it meets that
 * marker: everything committed before the takeover is then loaded. Requests that arrive
 * together (a rebalance hands out many partitions at once) share one reader. A restore that
 * does not reach its marker within `timeoutMs` (default 120 s) fails with RESTORE_TIMEOUT,
 * naming the topic, the partitions and how far it got, instead of waiting for ever.
 */
export class ChangelogRestorer {
  private queue: RestoreRequest[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      kafka: Kafka;
      changelogTopic: string;
      groupId: string;
      logger: Logger;
      coalesceMs?: number;
      timeoutMs?: number;
    },
  ) {}

  async restore<V>(
    partition: number,
    write: (records: Outbound[]) => Promise<void>,
  ): Promise<PartitionState<V>> {
    const marker = randomUUID();
    await write([
      { topic: this.options.changelogTopic, key: MARKER_KEY, raw: Buffer.from(marker) },
    ]);
    const state = new PartitionState<V>(partition, this.options.changelogTopic);
    await new Promise<void>((resolve, reject) => {
      this.queue.push({
        partition,
        marker,
        state: state as PartitionState<unknown>,
        resolve,
        reject,
      });
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        const batch = this.queue;
        this.queue = [];
        this.read(batch).catch((error: unknown) => batch.forEach((r) => r.reject(error)));
      }, this.options.coalesceMs ?? 50);
    });
    return state;
  }

  private async read(requests: RestoreRequest[]): Promise<void> {
    const { kafka, changelogTopic, groupId, logger } = this.options;
    const byPartition = new Map(requests.map((r) => [r.partition, r]));
    const waiting = new Set(byPartition.keys());
    const restoreGroup = `${groupId}.restore.${randomUUID()}`;
    const consumer = kafka.consumer({
      groupId: restoreGroup,
      readUncommitted: false,
      maxWaitTimeInMs: 50,
    });
    const started = Date.now();
    const timeoutMs = this.options.timeoutMs ?? 120_000;
    let loaded = 0;
    let timer: NodeJS.Timeout | undefined;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: changelogTopic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => {
          const error = new TransientError(
            'RESTORE_TIMEOUT',
            `state restore of ${changelogTopic} partition(s) ${[...waiting].join(', ')} did not finish in ${timeoutMs / 1000}s (${loaded} records read, the restore marker not reached)`,
          );
          for (const p of waiting) byPartition.get(p)?.reject(error);
          reject(error);
        }, timeoutMs);
        consumer
          .run({
            partitionsConsumedConcurrently: 4,
            eachBatch: async ({ batch }) => {
              const request = byPartition.get(batch.partition);
              if (!request || !waiting.has(batch.partition)) return;
              for (const message of batch.messages) {
                const key = message.key?.toString() ?? '';
                if (key === MARKER_KEY) {
                  if (message.value?.toString() === request.marker) {
                    waiting.delete(batch.partition);
                    request.resolve();
                    if (waiting.size === 0) resolve();
                    return;
                  }
                  continue;
                }
                request.state.load(
                  key,
                  message.value === null ? null : JSON.parse(message.value.toString()),
                );
                loaded++;
              }
            },
          })
          .catch(reject);
      });
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch(() => {});
      await deleteThrowawayGroup(kafka, restoreGroup);
    }
    logger.info(
      {
        changelogTopic,
        partitions: [...byPartition.keys()],
        records: loaded,
        ms: Date.now() - started,
      },
      'state restored',
    );
  }
}
