import { setTimeout as sleep } from 'node:timers/promises';
import type { Escalation, Topics } from '@healstream/contracts';
import {
  backoffDelay,
  type Logger,
  type Outbound,
  type KeyValue,
  type PartitionContext,
  type PartitionState,
} from '@healstream/runtime';
import { channelOf, deliverTo } from './deliver.js';
import type { DeliveredHere } from './delivered-here.js';
import type { EscalatorMetrics } from './metrics.js';
import type { Sink } from './sinks/types.js';
import { outboxKey, type Entry, type OutboxEntry } from './state.js';

export interface OutboxDeps {
  topics: Topics;
  sinks: ReadonlyMap<string, Sink>;
  metrics: EscalatorMetrics;
  logger: Logger;
  /** Sink calls that succeeded in this process, shared by its ownerships (delivered-here.ts). */
  deliveredHere?: DeliveredHere;
}

/** The entries waiting in a partition's outbox, in the order they were decided. */
export function pending(state: KeyValue<Entry>): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const key of state.keys()) {
    const entry = state.get(key);
    if (entry?.kind === 'outbox') entries.push(entry);
  }
  return entries.sort((a, b) => a.seq - b.seq);
}

/**
 * Delivers one partition's outbox, outside any consume transaction, for as long as this
 * instance owns the partition (one worker per ownership). Pages go out in the order they were
 * decided. Before each sink is called, a write-ahead `delivering` mark is committed through the
 * ownership's producer; after it took the page, the sink joins `delivered` (never called
 * again); when every sink is done, the entry is deleted and the page written to `escalations`
 * in one transaction — so each page is recorded once, and a crash at any point neither loses a
 * page nor repeats one at a sink that merges by dedup key (Alertmanager, PagerDuty, Opsgenie,
 * webhook receivers reading the escalation id). A sink that is down is retried with backoff
 * here, while the partition goes on consuming.
 */
export class OutboxWorker {
  private wakeUp: (() => void) | undefined;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly context: PartitionContext,
    private readonly state: PartitionState<Entry>,
    private readonly deps: OutboxDeps,
  ) {
    this.done = this.run().catch((error: unknown) =>
      deps.logger.error(
        { err: error, partition: context.partition },
        'outbox worker stopped on an error; the next owner delivers what is left',
      ),
    );
  }

  /** New entries were committed. */
  wake(): void {
    this.wakeUp?.();
  }

  /** This ownership ended: finish the current call, write nothing more. */
  stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    return this.done;
  }

  private get active(): boolean {
    return !this.stopped && this.context.owned();
  }

  private async run(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const next = pending(this.state)[0];
      if (!next || !this.context.owned()) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
          // Ownership may become active after open: look again now and then.
          setTimeout(resolve, 500).unref();
        });
        this.wakeUp = undefined;
        continue;
      }
      await this.deliver(next);
    }
  }

  private async deliver(entry: OutboxEntry): Promise<void> {
    const { sinks, metrics, logger, deliveredHere } = this.deps;
    const key = outboxKey(entry.page);
    let current = entry;
    for (const name of entry.sinks) {
      if (current.delivered.includes(name) || current.rejected.some((r) => r.sink === name))
        continue;
      const sink = sinks.get(name);
      for (let attempt = 0; ; attempt++) {
        if (!this.active) return;
        // The mark is this process's own from an ownership that ended after the sink took the
        // page: the call is not made again.
        const tookIt = current.delivering === name && deliveredHere?.has(key, name) === true;
        if (!tookIt && !(await this.commit({ ...current, delivering: name }))) return;
        current = { ...current, delivering: name };
        const result = tookIt
          ? ({ kind: 'delivered' } as const)
          : sink
            ? await deliverTo(sink, current.page, current.team ?? undefined, { metrics, logger })
            : ({ kind: 'rejected', reason: 'not configured' } as const);
        if (result.kind === 'delivered') deliveredHere?.add(key, name);
        if (result.kind === 'retry') {
          await sleep(backoffDelay(attempt, { initialMs: 500, maxMs: 30_000 }));
          continue;
        }
        current =
          result.kind === 'delivered'
            ? { ...current, delivering: null, delivered: [...current.delivered, name] }
            : {
                ...current,
                delivering: null,
                rejected: [...current.rejected, { sink: name, reason: result.reason }],
              };
        if (!(await this.commit(current))) return;
        break;
      }
    }
    const page: Escalation = { ...current.page, channel: channelOf(current) };
    const recorded = await this.commit(null, entry, [
      { topic: this.deps.topics.escalations.topic, key: page.component, value: page },
    ]);
    if (recorded) deliveredHere?.forget(key, current.delivered);
  }

  /**
   * Commits the entry's new state (or its deletion, with `records`) through this ownership's
   * producer, retrying broker failures while it lasts; false once it has ended.
   */
  private async commit(
    entry: OutboxEntry | null,
    of: OutboxEntry = entry as OutboxEntry,
    records: Outbound[] = [],
  ): Promise<boolean> {
    const key = outboxKey(of.page);
    for (let attempt = 0; ; attempt++) {
      if (!this.active) return false;
      try {
        await this.context.produce([
          {
            topic: this.state.changelogTopic,
            key,
            raw: entry === null ? null : Buffer.from(JSON.stringify(entry)),
          },
          ...records,
        ]);
        this.state.load(key, entry);
        return true;
      } catch (error) {
        if (!this.active) return false;
        this.deps.logger.warn(
          { err: error, attempt, escalationId: of.page.escalationId },
          'outbox commit failed; retrying',
        );
        await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 5000 }));
      }
    }
  }
}
