import type { Kafka } from 'kafkajs';
import {
  TransientError,
  topicsFor,
  type HealingCommand,
  type HealingOutcome,
} from '@healstream/contracts';
import type { ComponentRegistry } from '@healstream/core';
import {
  changelogRestorerFor,
  defineService,
  keepTraceContext,
  type BaseEnv,
  type Logger,
  type Outbound,
  type ServiceDefinition,
} from '@healstream/runtime';
import { CommandJobs, type Ownership } from './command-jobs.js';
import type { ExecutorSettings } from './config.js';
import type { ActionExecutor } from './executors/types.js';
import { finished, started, type LedgerEntry } from './ledger.js';
import type { ExecutorMetrics } from './metrics.js';
import { planCommand, type PlannedAction } from './plan.js';
import { Resilience } from './resilience.js';

/**
 * Partitions the executor handles at once: a batch holds its worker while its commands' actions
 * and verification run, so with the runtime's 3 a command on a fourth partition waited for
 * them (metric → verified outcome p99 354 ms at 3 against 283 ms at 12, docs/performance.md).
 * HEALSTREAM_PARTITIONS_CONCURRENTLY, when set, wins.
 */
export const EXECUTOR_PARTITIONS_CONCURRENTLY = 12;

export interface ExecutorHooks {
  /** After the ledger's `started` is committed, before any action runs (tests crash here). */
  afterStarted?(command: HealingCommand): Promise<void>;
}

export interface ActionExecutorOptions {
  config: Readonly<BaseEnv>;
  settings: ExecutorSettings;
  components: ComponentRegistry;
  /** By executor kind (components.yaml `executor`). */
  executors: ReadonlyMap<string, ActionExecutor>;
  kafka: Kafka;
  logger: Logger;
  metrics: ExecutorMetrics;
  now?: () => number;
  hooks?: ExecutorHooks;
  /** Finished ledger entries older than this are deleted (default 7 days). */
  ledgerRetentionMs?: number;
}

export interface ActionExecutorService {
  definition: ServiceDefinition;
  /** Stops taking new commands and waits (bounded) for running ones to report. */
  drain(timeoutMs: number): Promise<void>;
  /** commandIds whose actions or verification run now. */
  running(): string[];
}

/**
 * healing-commands → healing-outcomes, with the idempotency ledger in action-executor.ledger.
 *
 * A command's `started` entry is committed with its offsets (its record's transaction), and
 * only then, outside any transaction, do its actions run; their results, the outcome and the
 * `finished` entry are committed later through the partition's producer (context.produce), so
 * a long action stalls neither heartbeats nor other partitions. A job writes only through the
 * ownership (producer) it started under, and commits its intent before each action, so a job
 * whose ownership ended can neither act nor write. A command found started but unfinished
 * when a partition is opened — by a new owner, or by this instance getting it back — is not
 * run again but verified and reported. Every command gets exactly one outcome.
 */
export function actionExecutorService(options: ActionExecutorOptions): ActionExecutorService {
  const { config, settings, components, logger, metrics } = options;
  const now = options.now ?? Date.now;
  const topics = topicsFor(config.HEALSTREAM_TOPIC_PREFIX);
  const restorer = changelogRestorerFor('action-executor', topics.actionExecutorLedger.topic, {
    kafka: options.kafka,
    config,
    logger,
  });
  const outcomeRecord = (outcome: HealingOutcome): Outbound => ({
    topic: topics.healingOutcomes.topic,
    key: outcome.component,
    value: outcome,
  });
  const jobs = new CommandJobs({
    settings,
    components,
    executors: options.executors,
    resilience: new Resilience(settings),
    metrics,
    logger,
    now,
    ledgerTopic: topics.actionExecutorLedger.topic,
    outcomeRecord,
    ...(options.hooks?.afterStarted ? { afterStarted: options.hooks.afterStarted } : {}),
  });
  const retentionMs = options.ledgerRetentionMs ?? 7 * 24 * 3_600_000;
  let draining = false;
  const logFor = (c: HealingCommand) =>
    logger.child({ incidentId: c.incidentId, commandId: c.commandId, component: c.component });

  const definition = defineService({
    name: 'action-executor',
    inputs: [topics.healingCommands],
    outputs: [topics.healingOutcomes],
    partitionsConsumedConcurrently: EXECUTOR_PARTITIONS_CONCURRENTLY,
    ready: () => !draining,
    async open(partition, write, context) {
      const state = await restorer.restore<LedgerEntry>(partition, write);
      const owner: Ownership = { context, state, closed: false };
      // Every unfinished command is reported by this ownership, even one whose job from an
      // earlier ownership of this instance still runs: that job can no longer write or act.
      for (const key of state.keys()) {
        const entry = state.get(key);
        if (entry?.status === 'started') jobs.recover(owner, entry);
      }
      let toLaunch: {
        command: HealingCommand;
        actions: PlannedAction[];
        startedAt: number;
        /** The command's trace, so that its actions and outcome continue it after the commit. */
        inTrace: ReturnType<typeof keepTraceContext>;
      }[] = [];
      let afterCommit: (() => void)[] = [];
      let lastPrune = 0;
      return {
        handle(record, emit) {
          if (draining)
            throw new TransientError(
              'INTERNAL',
              'shutting down: the command is left for the next owner',
            );
          const command = record.value;
          const at = now();
          if (at - lastPrune > 3_600_000) {
            lastPrune = at;
            for (const key of state.keys()) {
              const e = state.get(key);
              if (e?.status === 'finished' && e.finishedAt < at - retentionMs) state.delete(key);
            }
          }
          const plan = planCommand(command, state.get(command.commandId), components, at);
          const log = logFor(command);
          if (plan.kind === 'duplicate') {
            afterCommit.push(() => {
              metrics.skips.inc({ reason: 'DUPLICATE' });
              log.info(
                { ledger: plan.entry.status },
                'command seen before: not run again, no second outcome',
              );
            });
            return;
          }
          if (plan.kind === 'report') {
            emit(outcomeRecord(plan.outcome));
            state.set(
              command.commandId,
              finished(command.commandId, at, at, plan.outcome.verification),
            );
            afterCommit.push(() => {
              metrics.skips.inc({ reason: plan.reason });
              metrics.verifications.inc({ verification: plan.outcome.verification });
              log.info(
                { reason: plan.reason, detail: plan.outcome.verificationDetail },
                'command answered without running anything',
              );
            });
            return;
          }
          state.set(command.commandId, started(command, at));
          toLaunch.push({
            command,
            actions: plan.actions,
            startedAt: at,
            inTrace: keepTraceContext(),
          });
        },
        beforeCommit: (emit) => state.beforeCommit(emit),
        committed() {
          state.committed();
          const launch = toLaunch;
          const after = afterCommit;
          toLaunch = [];
          afterCommit = [];
          for (const f of after) f();
          for (const job of launch)
            job.inTrace(() => jobs.execute(owner, job.command, job.actions, job.startedAt));
        },
        aborted() {
          state.aborted();
          toLaunch = [];
          afterCommit = [];
        },
        close() {
          owner.closed = true;
        },
      };
    },
  });

  return {
    definition,
    running: () => jobs.running(),
    async drain(timeoutMs) {
      draining = true;
      if (jobs.running().length === 0) return;
      logger.info({ commands: jobs.running() }, 'waiting for running commands to report');
      await jobs.settle(timeoutMs);
    },
  };
}
