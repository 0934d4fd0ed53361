import { TransientError, isDeadLetter, isRetriable, type Topics } from '@healstream/contracts';
import {
  readDeadLetterHeaders,
  RecordScratch,
  type Emit,
  type InboundOf,
  type Logger,
  type PartitionHandler,
  type TransactionalState as RuntimeTransactionalState,
} from '@healstream/runtime';
import type { EscalatorSettings } from './config.js';
import { escalate, type EscalatorInput } from './escalate.js';
import { pageFromDeadLetter } from './page.js';
import type { EscalatorMetrics } from './metrics.js';
import { pending, type OutboxWorker } from './outbox.js';
import { routeFor, type Routing } from './routing.js';
import { outboxKey, prune, type Entry } from './state.js';

/** A record of one of the escalator's inputs (every DLQ, outcomes, commands, requests). */
export type EscalatorRecord = InboundOf<
  | Topics['deadLetters'][number]
  | Topics['healingOutcomes']
  | Topics['healingCommands']
  | Topics['escalationRequests']
>;

export interface HandlerDeps {
  settings: EscalatorSettings;
  topics: Topics;
  routing: Routing;
  /** component id → on-call team, for routes and labels. */
  teams: ReadonlyMap<string, string>;
  /** Delivers what the handler puts in the outbox, once it is committed. */
  outbox: Pick<OutboxWorker, 'wake' | 'stop'>;
  metrics: EscalatorMetrics;
  logger: Logger;
}

/** A partition's state as the handler needs it: keyed entries with a transactional overlay. */
export type TransactionalState = RuntimeTransactionalState<Entry>;

const PRUNE_EVERY_MS = 60_000;

/**
 * Dead-letter pages are deduplicated per source topic and error code, and deduplication is a
 * partition's state: so a dead letter read on any other partition is handed, in the record's
 * transaction, to this partition of escalation-requests, where one partition's state pages it
 * once however many partitions the poison landed on.
 */
export const DEAD_LETTER_PARTITION = 0;

export function toInput(record: EscalatorRecord): EscalatorInput {
  switch (record.logical) {
    case 'healing-outcomes':
      return { kind: 'outcome', outcome: record.value };
    case 'healing-commands':
      return { kind: 'command', command: record.value };
    case 'escalation-requests':
      return { kind: 'request', escalation: record.value };
    default: {
      // Every other input is a dead-letter topic: the failed record's bytes and why it failed.
      const h = readDeadLetterHeaders(record.headers);
      return {
        kind: 'dead-letter',
        dead: {
          dlqTopic: record.topic,
          key: record.key,
          size: record.value?.length ?? 0,
          originalTopic: h.topic,
          originalPartition: h.partition,
          originalOffset: h.offset,
          service: h.service,
          errorClass: h.errorClass,
          errorCode: h.errorCode,
          errorMessage: h.errorMessage,
        },
      };
    }
  }
}

/**
 * Adapts records to `escalate` and puts the pages it decides in the partition's outbox, in the
 * record's transaction; the outbox worker delivers them once committed, outside any consume
 * transaction, and writes each to `escalations` when its sinks are done.
 */
export function partitionHandler(
  state: TransactionalState,
  deps: HandlerDeps,
): PartitionHandler<EscalatorRecord> {
  const { settings, routing, teams, outbox, metrics, logger } = deps;
  let lastPrune = Number.NEGATIVE_INFINITY;
  let nextSeq = Math.max(0, ...pending(state).map((e) => e.seq)) + 1;
  let prunedAt: number | undefined;

  const handleRecord = (record: EscalatorRecord, emit: Emit) => {
    const now = record.timestamp;
    // A record that throws must leave the state as it was: its changes wait in a scratch.
    const scratch = new RecordScratch(state);
    let pruned = false;
    if (now - (prunedAt ?? lastPrune) >= PRUNE_EVERY_MS) {
      prune(scratch, now, settings);
      pruned = true;
    }
    const input = toInput(record);
    const origin = { topic: record.topic, partition: record.partition, offset: record.offset };
    if (input.kind === 'dead-letter' && record.partition !== DEAD_LETTER_PARTITION) {
      const page = pageFromDeadLetter(input.dead, origin, now, settings);
      emit({
        topic: deps.topics.escalationRequests.topic,
        key: page.dedupKey,
        value: page,
        partition: DEAD_LETTER_PARTITION,
      });
      scratch.apply();
      if (pruned) prunedAt = now;
      return;
    }
    const { deliver: pages, suppressed } = escalate(input, origin, scratch, now, settings);
    for (const page of pages) {
      const team = teams.get(page.component);
      scratch.set(outboxKey(page), {
        kind: 'outbox',
        seq: nextSeq++,
        page,
        sinks: routeFor(routing, page, team),
        team: team ?? null,
        delivered: [],
        rejected: [],
        delivering: null,
        queuedAt: now,
      });
    }
    scratch.apply();
    if (pruned) prunedAt = now;
    for (const page of suppressed) {
      metrics.suppressed.inc({ source: page.source });
      logger.debug(
        { dedupKey: page.dedupKey, incidentId: page.incidentId, source: page.source },
        'trigger absorbed by an open page',
      );
    }
  };

  return {
    handle(record, emit) {
      try {
        handleRecord(record, emit);
      } catch (error) {
        // A dead letter the escalator cannot handle has nowhere else to go (`<dlq>.dlq` is no
        // topic and no input): retry it, loudly, rather than drop it or loop it.
        if (!isRetriable(error) && isDeadLetter(record)) {
          logger.error(
            { topic: record.topic, partition: record.partition, offset: record.offset, err: error },
            'dead letter could not be paged; retrying',
          );
          throw new TransientError(
            'INTERNAL',
            `dead letter ${record.topic}/${record.partition}/${record.offset} could not be paged: ${(error as Error).message}`,
            error,
          );
        }
        throw error;
      }
    },
    beforeCommit: (emit) => state.beforeCommit(emit),
    committed() {
      state.committed();
      outbox.wake();
      if (prunedAt !== undefined) lastPrune = prunedAt;
      prunedAt = undefined;
    },
    aborted() {
      state.aborted();
      prunedAt = undefined;
    },
    close() {
      void outbox.stop();
    },
  };
}
