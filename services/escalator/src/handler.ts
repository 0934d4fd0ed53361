import {
  TransientError,
  isRetriable,
  type Escalation,
  type HealingCommand,
  type HealingOutcome,
} from '@healstream/contracts';
import {
  readDeadLetterHeaders,
  type InboundRecord,
  type Logger,
  type PartitionHandler,
} from '@healstream/runtime';
import type { EscalatorSettings } from './config.js';
import { deliver, type DeliveryMemo } from './deliver.js';
import { escalate, type EscalatorInput } from './escalate.js';
import type { EscalatorMetrics } from './metrics.js';
import { routeFor, type Routing } from './routing.js';
import type { Sink } from './sinks/types.js';
import { Scratch, prune, type Entry, type KeyValue } from './state.js';

/** Physical topic names of the escalator's inputs and output. */
export interface EscalatorTopics {
  outcomes: string;
  commands: string;
  requests: string;
  escalations: string;
  deadLetters: ReadonlySet<string>;
}

export interface HandlerDeps {
  settings: EscalatorSettings;
  topics: EscalatorTopics;
  routing: Routing;
  sinks: ReadonlyMap<string, Sink>;
  /** component id → on-call team, for routes and labels. */
  teams: ReadonlyMap<string, string>;
  memo: DeliveryMemo;
  metrics: EscalatorMetrics;
  logger: Logger;
}

/** A partition's state as the handler needs it: keyed entries with a transactional overlay. */
export interface TransactionalState extends KeyValue<Entry> {
  beforeCommit(emit: Parameters<NonNullable<PartitionHandler<unknown>['beforeCommit']>>[0]): void;
  committed(): void;
  aborted(): void;
}

const PRUNE_EVERY_MS = 60_000;

export function toInput(record: InboundRecord<unknown>, topics: EscalatorTopics): EscalatorInput {
  if (topics.deadLetters.has(record.topic)) {
    const h = readDeadLetterHeaders(record.headers);
    const value = record.value as Buffer | null;
    return {
      kind: 'dead-letter',
      dead: {
        dlqTopic: record.topic,
        key: record.key,
        size: value?.length ?? 0,
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
  if (record.topic === topics.outcomes)
    return { kind: 'outcome', outcome: record.value as HealingOutcome };
  if (record.topic === topics.commands)
    return { kind: 'command', command: record.value as HealingCommand };
  if (record.topic === topics.requests)
    return { kind: 'request', escalation: record.value as Escalation };
  throw new Error(`not an input of the escalator: ${record.topic}`);
}

/**
 * Adapts records to `escalate`, delivers what it decides inside the record's transaction, and
 * writes each delivered page to `escalations` in that same transaction.
 */
export function partitionHandler(
  state: TransactionalState,
  deps: HandlerDeps,
): PartitionHandler<unknown> {
  const { settings, topics, routing, sinks, teams, memo, metrics, logger } = deps;
  let lastPrune = Number.NEGATIVE_INFINITY;
  let prunedAt: number | undefined;

  const handleRecord = async (
    record: InboundRecord<unknown>,
    emit: Parameters<PartitionHandler<unknown>['handle']>[1],
  ) => {
    const now = record.timestamp;
    // A record that throws must leave the state as it was: its changes wait in a scratch.
    const scratch = new Scratch(state);
    let pruned = false;
    if (now - (prunedAt ?? lastPrune) >= PRUNE_EVERY_MS) {
      prune(scratch, now, settings);
      pruned = true;
    }
    const input = toInput(record, topics);
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
        topic: topics.escalations,
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
        if (!isRetriable(error) && topics.deadLetters.has(record.topic)) {
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
