import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import {
  TransientError,
  topicsFor,
  type ActionResult,
  type HealingCommand,
  type HealingOutcome,
} from '@healstream/contracts';
import type { ComponentRegistry } from '@healstream/core';
import {
  backoffDelay,
  ChangelogRestorer,
  defineService,
  groupIdFor,
  keepTraceContext,
  type BaseEnv,
  type Logger,
  type Outbound,
  type PartitionContext,
  type PartitionState,
  type ServiceDefinition,
} from '@healstream/runtime';
import type { ExecutorSettings } from './config.js';
import type { ActionExecutor } from './executors/types.js';
import { finished, started, type LedgerEntry } from './ledger.js';
import type { ExecutorMetrics } from './metrics.js';
import { outcomeOf, planCommand, plannedActions, type PlannedAction } from './plan.js';
import { Resilience } from './resilience.js';
import { interruptedResults, runCommand } from './run-command.js';
import { verifyHealth } from './verify.js';

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

interface Slot {
  context: PartitionContext;
  state: PartitionState<LedgerEntry>;
  closed: boolean;
}

/**
 * healing-commands → healing-outcomes, with the idempotency ledger in action-executor.ledger.
 *
 * A command's `started` entry is committed with its offsets (its record's transaction), and
 * only then, outside any transaction, do its actions run; their results, the outcome and the
 * `finished` entry are committed later through the partition's producer (context.produce), so
 * a long action stalls neither heartbeats nor other partitions. A command found started but
 * unfinished when a partition is opened ran (or was about to run) on an instance that died: it
 * is not run again but verified and reported. Every command gets exactly one outcome.
 */
export function actionExecutorService(options: ActionExecutorOptions): ActionExecutorService {
  const { config, settings, components, logger, metrics } = options;
  const now = options.now ?? Date.now;
  const topics = topicsFor(config.HEALSTREAM_TOPIC_PREFIX);
  const restorer = new ChangelogRestorer({
    kafka: options.kafka,
    changelogTopic: topics.actionExecutorLedger.topic,
    groupId: groupIdFor(config, 'action-executor'),
    logger,
  });
  const resilience = new Resilience(settings);
  const retentionMs = options.ledgerRetentionMs ?? 7 * 24 * 3_600_000;
  const slots = new Map<number, Slot>();
  const jobs = new Map<string, Promise<void>>();
  let draining = false;

  const logFor = (c: HealingCommand) =>
    logger.child({ incidentId: c.incidentId, commandId: c.commandId, component: c.component });
  const verify = (component: Parameters<typeof verifyHealth>[0]) =>
    verifyHealth(component, {
      windowMs: settings.verifyWindowMs,
      intervalMs: settings.verifyIntervalMs,
      healthyChecks: settings.verifyHealthyChecks,
    });
  const owned = (partition: number) => {
    const slot = slots.get(partition);
    return slot !== undefined && !slot.closed && slot.context.owned();
  };

  /**
   * Commits a ledger entry (and records such as the outcome) through the partition's producer.
   * Waits briefly for ownership (a partition being opened is not owned yet), retries broker
   * failures while owned; false when this instance no longer owns the partition.
   */
  async function commit(
    partition: number,
    commandId: string,
    entry: LedgerEntry,
    records: Outbound[],
    log: Logger,
  ): Promise<boolean> {
    const ownershipDeadline = Date.now() + 15_000;
    for (let attempt = 0; ; attempt++) {
      const slot = slots.get(partition);
      if (slot && !slot.closed && slot.context.owned()) {
        try {
          await slot.context.produce([
            {
              topic: topics.actionExecutorLedger.topic,
              key: commandId,
              raw: Buffer.from(JSON.stringify(entry)),
            },
            ...records,
          ]);
          // Committed outside a record transaction: straight into the committed view.
          slot.state.load(commandId, entry);
          return true;
        } catch (error) {
          if (!slot.context.owned()) continue;
          log.warn({ err: error, attempt }, 'ledger commit failed; retrying');
          if (attempt >= 30) {
            log.error(
              { err: error },
              'ledger commit keeps failing; the command stays started and is reported after the next takeover',
            );
            return false;
          }
        }
      } else if (Date.now() > ownershipDeadline) {
        log.warn(
          { partition },
          'partition not owned here any more; its next owner reports the command',
        );
        return false;
      }
      await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 5000 }));
    }
  }

  function track(commandId: string, job: () => Promise<void>, log: Logger): void {
    metrics.inFlight.inc();
    const running = job()
      .catch((error: unknown) => log.error({ err: error }, 'command job failed'))
      .finally(() => {
        jobs.delete(commandId);
        metrics.inFlight.dec();
      });
    jobs.set(commandId, running);
  }

  function execute(
    partition: number,
    command: HealingCommand,
    actions: PlannedAction[],
    startedAt: number,
  ): void {
    const log = logFor(command);
    const component = components.components.get(command.component);
    if (!component) return; // validated before; the registry does not change at run time
    track(
      command.commandId,
      async () => {
        await options.hooks?.afterStarted?.(command);
        if (!owned(partition)) {
          log.warn(
            'partition lost before the actions ran; they are not run here, the next owner reports',
          );
          return;
        }
        const progress = (results: ActionResult[]) =>
          commit(
            partition,
            command.commandId,
            { status: 'started', command, startedAt, results },
            [],
            log,
          );
        const result = await runCommand(command, component, actions, {
          executors: options.executors,
          resilience,
          metrics,
          logger: log,
          now,
          verify,
          progress,
          mayAct: () => owned(partition),
        });
        if (!result) return;
        const outcome = outcomeOf(
          command,
          result.results,
          result.verification,
          result.verificationDetail,
          startedAt,
          now(),
        );
        if (
          await commit(
            partition,
            command.commandId,
            finished(command.commandId, startedAt, outcome.finishedAt, outcome.verification),
            [outcomeRecord(outcome)],
            log,
          )
        ) {
          metrics.verifications.inc({ verification: outcome.verification });
          log.info(
            {
              verification: outcome.verification,
              detail: outcome.verificationDetail,
              ms: outcome.finishedAt - startedAt,
            },
            'command finished',
          );
        }
      },
      log,
    );
  }

  function recover(partition: number, entry: Extract<LedgerEntry, { status: 'started' }>): void {
    const { command } = entry;
    const log = logFor(command);
    log.warn(
      { startedAt: entry.startedAt, recorded: entry.results.length },
      'command found started but unfinished: verifying, not running it again',
    );
    track(
      command.commandId,
      async () => {
        const results = interruptedResults(plannedActions(command, components), entry.results);
        for (const r of results.slice(entry.results.length)) {
          if (r.status === 'FAILED')
            metrics.failures.inc({
              policy: command.policy.name,
              action: r.name,
              status: 'INTERRUPTED',
            });
        }
        const component = components.components.get(command.component);
        const health = component
          ? await verify(component)
          : {
              verification: 'UNKNOWN' as const,
              detail: `component ${command.component} is no longer in components.yaml`,
            };
        const detail = `the executor instance running this command stopped after it started (${new Date(entry.startedAt).toISOString()}); its actions were not run again. Health after takeover: ${health.detail}`;
        const outcome = outcomeOf(
          command,
          results,
          health.verification,
          detail,
          entry.startedAt,
          now(),
        );
        if (
          await commit(
            partition,
            command.commandId,
            finished(command.commandId, entry.startedAt, outcome.finishedAt, outcome.verification),
            [outcomeRecord(outcome)],
            log,
          )
        ) {
          metrics.verifications.inc({ verification: outcome.verification });
          log.info({ verification: outcome.verification }, 'interrupted command reported');
        }
      },
      log,
    );
  }

  const outcomeRecord = (outcome: HealingOutcome): Outbound => ({
    topic: topics.healingOutcomes.topic,
    key: outcome.component,
    value: outcome,
  });

  const definition = defineService({
    name: 'action-executor',
    inputs: [topics.healingCommands],
    outputs: [topics.healingOutcomes],
    ready: () => !draining,
    async open(partition, write, context) {
      const state = await restorer.restore<LedgerEntry>(partition, write);
      const slot: Slot = { context, state, closed: false };
      slots.set(partition, slot);
      for (const key of state.keys()) {
        const entry = state.get(key);
        if (entry?.status === 'started' && !jobs.has(key)) recover(partition, entry);
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
            job.inTrace(() => execute(partition, job.command, job.actions, job.startedAt));
        },
        aborted() {
          state.aborted();
          toLaunch = [];
          afterCommit = [];
        },
        close() {
          slot.closed = true;
          if (slots.get(partition) === slot) slots.delete(partition);
        },
      };
    },
  });

  return {
    definition,
    running: () => [...jobs.keys()],
    async drain(timeoutMs) {
      draining = true;
      if (jobs.size === 0) return;
      logger.info({ commands: [...jobs.keys()] }, 'waiting for running commands to report');
      await Promise.race([Promise.allSettled([...jobs.values()]), sleep(timeoutMs)]);
    },
  };
}
