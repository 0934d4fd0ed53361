import { TransientError, isDeadLetter, isRetriable, type Topics } from '@healstream/contracts';
import {
  readDeadLetterHeaders,
  RecordScratch,
  type InboundOf,
  type Logger,
  type PartitionHandler,
  type TransactionalState as RuntimeTransactionalState,
} from '@healstream/runtime';
import type { EscalatorSettings } from './config.js';
import { deliver, type DeliveryMemo } from './deliver.js';
import { escalate, type EscalatorInput } from './escalate.js';
import type { EscalatorMetrics } from './metrics.js';
import { routeFor, type Routing } from './routing.js';
import type { Sink } from './sinks/types.js';
import { prune, type Entry } from './state.js';

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
  sinks: ReadonlyMap<string, Sink>;
  /** component id → on-call team, for routes and labels. */
  teams: ReadonlyMap<string, string>;
  memo: DeliveryMemo;
  metrics: EscalatorMetrics;
  logger: Logger;
}

/** A partition's state as the handler needs it: keyed entries with a transactional overlay. */
export type TransactionalState = RuntimeTransactionalState<Entry>;

const PRUNE_EVERY_MS = 60_000;

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
 * Adapts records to `escalate`, delivers what it decides inside the record's transaction, and
 * writes each delivered page to `escalations` in that same transaction.
 */
export function partitionHandler(
  state: TransactionalState,
  deps: HandlerDeps,
): PartitionHandler<EscalatorRecord> {
  const { settings, topics, routing, sinks, teams, memo, metrics, logger } = deps;
  let lastPrune = Number.NEGATIVE_INFINITY;
  let prunedAt: number | undefined;

  const handleRecord = async (
    record: EscalatorRecord,
    emit: Parameters<PartitionHandler['handle']>[1],
  ) => {
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
    const { deliver: pages, suppressed } = escalate(input, origin, scratch, now, settings);
    for (const page of pages) {
      const team = teams.get(page.component);
      const report = await deliver(page, routeFor(routing, page, team), {
        sinks,
        memo,
        metrics,
        logger,
        team,
      });
      emit({
        topic: topics.escalations.topic,
        key: page.component,
        value: { ...page, channel: report.channel },
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
    async handle(record, emit) {
      try {
        await handleRecord(record, emit);
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
      if (prunedAt !== undefined) lastPrune = prunedAt;
      prunedAt = undefined;
    },
    aborted() {
      state.aborted();
      prunedAt = undefined;
    },
  };
}
