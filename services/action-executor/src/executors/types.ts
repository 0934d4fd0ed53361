import { HealstreamError, type ErrorCode, type HealingCommand } from '@healstream/contracts';
import type { Component } from '@healstream/core';
import type { PlannedAction } from '../plan.js';

/** An action that could not be carried out. `retriable` says whether trying again may help. */
export class ExecutorError extends HealstreamError {
  constructor(
    message: string,
    retriable: boolean,
    code: ErrorCode = retriable ? 'EXECUTOR_UNAVAILABLE' : 'EXECUTOR_REJECTED',
  ) {
    super(code, message, { retriable });
  }
}

export interface ActionCall {
  command: HealingCommand;
  component: Component;
  action: PlannedAction;
  signal: AbortSignal;
  /** Same on every retry of one (command, action): the receiver runs it at most once. */
  idempotencyKey: string;
}

/** Carries out actions on one kind of infrastructure (components.yaml `executor`). */
export interface ActionExecutor {
  readonly kind: string;
  /** What the circuit breaker guards: the endpoint this component's actions go to. */
  target(component: Component): string;
  /** Runs the action; resolves to a short human-readable detail of what happened. */
  run(call: ActionCall): Promise<string>;
}

/** An executor kind this build has no implementation for: every action fails, never retried. */
export function unavailableExecutor(kind: string): ActionExecutor {
  return {
    kind,
    target: () => kind,
    run: () =>
      Promise.reject(
        new ExecutorError(
          `the '${kind}' executor is not available in this build`,
          false,
          'EXECUTOR_MISSING',
        ),
      ),
  };
}
