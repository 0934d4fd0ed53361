import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionResult, HealingCommand, HealingOutcome } from '@healstream/contracts';
import type { ComponentRegistry } from '@healstream/core';
import {
  backoffDelay,
  type Logger,
  type Outbound,
  type PartitionContext,
  type PartitionState,
} from '@healstream/runtime';
import type { ExecutorSettings } from './config.js';
import type { ActionExecutor } from './executors/types.js';
import { finished, type LedgerEntry } from './ledger.js';
import type { ExecutorMetrics } from './metrics.js';
import { outcomeOf, plannedActions, type PlannedAction } from './plan.js';
import type { Resilience } from './resilience.js';
import { interruptedResults, runCommand } from './run-command.js';
import { verifyHealth } from './verify.js';

/**
 * One ownership of a partition: opened once, closed once. A job writes only through the
 * ownership it started under — its producer — so a job of an ownership that ended (a member
 * paused past its session, a partition moved away and back) can neither write `started` over
 * a `finished` nor run another action: the partition's next opening reports the command.
 */
export interface Ownership {
  context: PartitionContext;
  state: PartitionState<LedgerEntry>;
  closed: boolean;
}

export interface CommandJobsOptions {
  settings: ExecutorSettings;
  components: ComponentRegistry;
  executors: ReadonlyMap<string, ActionExecutor>;
  resilience: Resilience;
  metrics: ExecutorMetrics;
  logger: Logger;
  now: () => number;
  ledgerTopic: string;
  outcomeRecord: (outcome: HealingOutcome) => Outbound;
  afterStarted?: (command: HealingCommand) => Promise<void>;
}

type Started = Extract<LedgerEntry, { status: 'started' }>;

/** The commands whose actions or verification run now, outside any consume transaction. */
export class CommandJobs {
  private readonly jobs = new Map<string, Promise<void>>();

  constructor(private readonly options: CommandJobsOptions) {}

  running(): string[] {
    return [...this.jobs.keys()];
  }

  async settle(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.allSettled([...this.jobs.values()]), sleep(timeoutMs)]);
  }

  /** Runs a command whose `started` entry was just committed under `owner`. */
  execute(owner: Ownership, command: HealingCommand, actions: PlannedAction[], at: number): void {
    const { options } = this;
    const component = options.components.components.get(command.component);
    if (!component) return; // validated before; the registry does not change at run time
    const log = this.logFor(command);
    this.track(command.commandId, log, async () => {
      await options.afterStarted?.(command);
      if (!mayAct(owner)) {
        log.warn('partition lost before the actions ran; they are not run here');
        return;
      }
      const record = (results: ActionResult[], acting: string | null) =>
        this.commit(
          owner,
          command.commandId,
          { ...startedEntry(command, at, results), acting },
          [],
        );
      const result = await runCommand(command, component, actions, {
        executors: options.executors,
        resilience: options.resilience,
        metrics: options.metrics,
        logger: log,
        now: options.now,
        verify: this.verify,
        // Write-ahead: an action runs only after its intent is committed through this
        // ownership's producer; a fenced or lost ownership stops the run there.
        beforeAction: (results, name) => record(results, name),
        progress: (results) => record(results, null),
        mayAct: () => mayAct(owner),
      });
      if (!result) return;
      const outcome = outcomeOf(
        command,
        result.results,
        result.verification,
        result.verificationDetail,
        at,
        options.now(),
      );
      await this.finish(owner, command, at, outcome, 'command finished');
    });
  }

  /** Reports a command found started but unfinished when `owner` opened its partition. */
  recover(owner: Ownership, entry: Started): void {
    const { options } = this;
    const { command } = entry;
    const log = this.logFor(command);
    log.warn(
      { startedAt: entry.startedAt, recorded: entry.results.length, acting: entry.acting },
      'command found started but unfinished: verifying, not running it again',
    );
    this.track(command.commandId, log, async () => {
      const results = interruptedResults(
        plannedActions(command, options.components),
        entry.results,
      );
      for (const r of results.slice(entry.results.length)) {
        if (r.status === 'FAILED')
          options.metrics.failures.inc({
            policy: command.policy.name,
            action: r.name,
            status: 'INTERRUPTED',
          });
      }
      const component = options.components.components.get(command.component);
      const health = component
        ? await this.verify(component)
        : {
            verification: 'UNKNOWN' as const,
            detail: `component ${command.component} is no longer in components.yaml`,
          };
      const detail = `the executor ownership running this command ended after it started (${new Date(entry.startedAt).toISOString()}); its actions were not run again. Health after takeover: ${health.detail}`;
      const outcome = outcomeOf(
        command,
        results,
        health.verification,
        detail,
        entry.startedAt,
        options.now(),
      );
      await this.finish(owner, command, entry.startedAt, outcome, 'interrupted command reported');
    });
  }

  private readonly verify = (component: Parameters<typeof verifyHealth>[0]) =>
    verifyHealth(component, {
      windowMs: this.options.settings.verifyWindowMs,
      intervalMs: this.options.settings.verifyIntervalMs,
      healthyChecks: this.options.settings.verifyHealthyChecks,
    });

  private logFor(c: HealingCommand): Logger {
    return this.options.logger.child({
      incidentId: c.incidentId,
      commandId: c.commandId,
      component: c.component,
    });
  }

  private async finish(
    owner: Ownership,
    command: HealingCommand,
    startedAt: number,
    outcome: HealingOutcome,
    message: string,
  ): Promise<void> {
    const entry = finished(command.commandId, startedAt, outcome.finishedAt, outcome.verification);
    if (
      !(await this.commit(owner, command.commandId, entry, [this.options.outcomeRecord(outcome)]))
    )
      return;
    this.options.metrics.verifications.inc({ verification: outcome.verification });
    this.logFor(command).info(
      {
        verification: outcome.verification,
        detail: outcome.verificationDetail,
        ms: outcome.finishedAt - startedAt,
      },
      message,
    );
  }

  /**
   * Commits a ledger entry (and records such as the outcome) through `owner`'s producer.
   * Waits briefly for the ownership to become active (a partition being opened is not owned
   * yet) and retries broker failures while it lasts; false once it has ended, whoever owns
   * the partition now.
   */
  private async commit(
    owner: Ownership,
    commandId: string,
    entry: LedgerEntry,
    records: Outbound[],
  ): Promise<boolean> {
    const log = this.options.logger.child({ commandId });
    const ownershipDeadline = Date.now() + 15_000;
    for (let attempt = 0; ; attempt++) {
      if (owner.closed) {
        log.warn('partition ownership ended; the partition is reported by its next opening');
        return false;
      }
      if (owner.context.owned()) {
        try {
          await owner.context.produce([
            { topic: this.options.ledgerTopic, key: commandId, raw: ledgerBytes(entry) },
            ...records,
          ]);
          // Committed outside a record transaction: straight into the committed view.
          owner.state.load(commandId, entry);
          return true;
        } catch (error) {
          if (!owner.context.owned()) continue;
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
        log.warn('partition not owned here any more; its next owner reports the command');
        return false;
      }
      await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 5000 }));
    }
  }

  private track(commandId: string, log: Logger, job: () => Promise<void>): void {
    this.options.metrics.inFlight.inc();
    const running: Promise<void> = job()
      .catch((error: unknown) => log.error({ err: error }, 'command job failed'))
      .finally(() => {
        // A later ownership may have started its own job for this command meanwhile.
        if (this.jobs.get(commandId) === running) this.jobs.delete(commandId);
        this.options.metrics.inFlight.dec();
      });
    this.jobs.set(commandId, running);
  }
}

const mayAct = (owner: Ownership) => !owner.closed && owner.context.owned();

const startedEntry = (command: HealingCommand, startedAt: number, results: ActionResult[]) => ({
  status: 'started' as const,
  command,
  startedAt,
  results,
});

const ledgerBytes = (entry: LedgerEntry) => Buffer.from(JSON.stringify(entry));
