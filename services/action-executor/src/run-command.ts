import type { ActionResult, HealingCommand, Verification } from '@healstream/contracts';
import type { Component } from '@healstream/core';
import { inSpan, type Logger } from '@healstream/runtime';
import type { ActionExecutor } from './executors/types.js';
import { ExecutorError, unavailableExecutor } from './executors/types.js';
import type { ExecutorMetrics } from './metrics.js';
import type { PlannedAction } from './plan.js';
import type { Resilience } from './resilience.js';
import type { VerifyResult } from './verify.js';

export interface RunDeps {
  executors: ReadonlyMap<string, ActionExecutor>;
  resilience: Resilience;
  metrics: ExecutorMetrics;
  logger: Logger;
  now: () => number;
  verify: (component: Component) => Promise<VerifyResult>;
  /** Records the results so far in the ledger; false when that is no longer possible. */
  progress: (results: ActionResult[]) => Promise<boolean>;
  /**
   * Records the intent to run `action` (write-ahead) before it runs; false when that is no
   * longer possible, and then the action does not run.
   */
  beforeAction?: (results: ActionResult[], action: string) => Promise<boolean>;
  /** Whether this instance may still act (it owns the command's partition). */
  mayAct: () => boolean;
}

export interface RunResult {
  results: ActionResult[];
  verification: Verification;
  verificationDetail: string;
}

const notRun = (name: string, why: string): ActionResult => ({
  name,
  status: 'SKIPPED',
  durationMs: 0,
  error: null,
  detail: `not run: ${why}`,
});

/**
 * Runs a validated command's actions in order, each through the resilience policies, records
 * each result in the ledger before the next action starts, then verifies. An action that
 * fails stops the ones after it (they are reported SKIPPED). Returns null when the instance
 * lost the right to act or to record: the partition's next owner reports the command.
 */
export async function runCommand(
  command: HealingCommand,
  component: Component,
  actions: PlannedAction[],
  deps: RunDeps,
): Promise<RunResult | null> {
  const { metrics, logger, now } = deps;
  const results: ActionResult[] = [];
  let stopped: string | null = null;
  for (const action of actions) {
    if (action.delegated) {
      results.push({
        name: action.name,
        status: 'DELEGATED',
        durationMs: 0,
        error: null,
        detail: 'the escalator pages on-call',
      });
      continue;
    }
    if (stopped) {
      results.push(notRun(action.name, stopped));
      continue;
    }
    if (now() > command.deadline) {
      // The deadline holds inside the run too: a command that outlived it stops here.
      stopped = `EXPIRED: deadline ${new Date(command.deadline).toISOString()} passed`;
      results.push(notRun(action.name, stopped));
      continue;
    }
    if (!deps.mayAct()) return null;
    if (deps.beforeAction && !(await deps.beforeAction([...results], action.name))) return null;
    const executor =
      deps.executors.get(component.executor) ?? unavailableExecutor(component.executor);
    const labels = { policy: command.policy.name, action: action.name };
    metrics.attempts.inc(labels);
    logger.info(
      { action: action.name, params: action.params, executor: executor.kind },
      'action starting',
    );
    const started = now();
    // A retry is an action run again: it goes out only while this instance still may act,
    // with its intent committed again through the same producer (a member paused past its
    // session and resumed must not retry what the next owner has reported).
    let attempt = 0;
    let lost = false;
    const guarded = await inSpan(
      `action ${action.name}`,
      { 'healstream.component': component.id, 'healstream.executor': executor.kind },
      () =>
        deps.resilience.run(component.id, executor.target(component), async (signal) => {
          attempt++;
          if (
            attempt > 1 &&
            (!deps.mayAct() ||
              (deps.beforeAction && !(await deps.beforeAction([...results], action.name))))
          ) {
            lost = true;
            throw new ExecutorError('the command is no longer this instance’s to run', false);
          }
          return executor.run({
            command,
            component,
            action,
            signal,
            idempotencyKey: `${command.commandId}:${action.name}`,
          });
        }),
    );
    if (lost || !deps.mayAct()) return null;
    const durationMs = now() - started;
    metrics.actionSeconds.observe({ action: action.name }, durationMs / 1000);
    results.push({
      name: action.name,
      status: guarded.status,
      durationMs,
      error: guarded.error,
      detail: guarded.detail,
    });
    if (guarded.status === 'SUCCEEDED') {
      metrics.successes.inc(labels);
      logger.info(
        { action: action.name, durationMs, attempts: guarded.attempts, detail: guarded.detail },
        'action succeeded',
      );
    } else {
      metrics.failures.inc({ ...labels, status: guarded.status });
      logger.warn(
        {
          action: action.name,
          durationMs,
          attempts: guarded.attempts,
          status: guarded.status,
          error: guarded.error,
        },
        'action did not succeed',
      );
      stopped = `${action.name} ${guarded.status}`;
    }
    if (!(await deps.progress([...results]))) return null;
  }
  const ran = results.some(
    (r) => r.status === 'SUCCEEDED' || r.status === 'FAILED' || r.status === 'TIMED_OUT',
  );
  const verified = ran
    ? await deps.verify(component)
    : { verification: 'UNKNOWN' as const, detail: 'no action ran here, nothing to verify' };
  return { results, verification: verified.verification, verificationDetail: verified.detail };
}

/**
 * The outcome of a command found started but unfinished after a takeover: actions recorded as
 * done keep their results; the one that was due is reported FAILED (INTERRUPTED: it may or
 * may not have run) and the rest SKIPPED. Nothing runs again.
 */
export function interruptedResults(
  actions: PlannedAction[],
  recorded: ActionResult[],
): ActionResult[] {
  const due = actions.findIndex((a, i) => i >= recorded.length && !a.delegated);
  return actions.map((action, i) => {
    const done = recorded[i];
    if (done) return done;
    if (action.delegated)
      return {
        name: action.name,
        status: 'DELEGATED',
        durationMs: 0,
        error: null,
        detail: 'the escalator pages on-call',
      };
    if (i === due) {
      return {
        name: action.name,
        status: 'FAILED',
        durationMs: 0,
        error:
          'INTERRUPTED: the executor instance stopped after this command started; the action may or may not have run, and is not run again',
        detail: null,
      };
    }
    return notRun(action.name, 'an earlier action was interrupted');
  });
}
