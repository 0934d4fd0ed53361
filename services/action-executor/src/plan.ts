import type {
  ActionResult,
  HealingCommand,
  HealingOutcome,
  Verification,
} from '@healstream/contracts';
import { outcomeFor } from '@healstream/contracts';
import { validateActions, type Component, type ComponentRegistry } from '@healstream/core';
import type { LedgerEntry } from './ledger.js';

/** An action that passed validation, with its parameters parsed (defaults filled in). */
export interface PlannedAction {
  name: string;
  params: Record<string, unknown>;
  delegated: boolean;
  custom: boolean;
}

export type SkipReason =
  | 'UNKNOWN_ACTION'
  | 'UNKNOWN_COMPONENT'
  | 'ACTION_NOT_PERMITTED'
  | 'PARAMS_OUT_OF_BOUNDS'
  | 'SHADOW'
  | 'EXPIRED'
  | 'DELEGATED_ONLY';

export type Plan =
  /** Seen before (redelivery, or a duplicate from upstream): nothing to do, no second outcome. */
  | { kind: 'duplicate'; entry: LedgerEntry }
  /** Nothing runs: the outcome is final now, in the command's own transaction. */
  | { kind: 'report'; reason: SkipReason; outcome: HealingOutcome }
  | { kind: 'execute'; component: Component; actions: PlannedAction[] };

export function outcomeOf(
  command: HealingCommand,
  actions: ActionResult[],
  verification: Verification,
  verificationDetail: string,
  startedAt: number,
  finishedAt: number,
): HealingOutcome {
  return outcomeFor(command, { actions, verification, verificationDetail, startedAt, finishedAt });
}

/** The command's actions with parsed parameters (unparseable ones keep their raw strings). */
export function plannedActions(
  command: HealingCommand,
  registry: ComponentRegistry,
): PlannedAction[] {
  return command.actions.map((a) => {
    const spec = registry.actions.get(a.name);
    const parsed = spec?.params.safeParse(a.params);
    return {
      name: a.name,
      params: parsed?.success ? parsed.data : { ...a.params },
      delegated: spec?.delegated ?? false,
      custom: spec?.custom ?? false,
    };
  });
}

const skipped = (name: string, detail: string, error: string | null = null): ActionResult => ({
  name,
  status: 'SKIPPED',
  durationMs: 0,
  error,
  detail,
});

/**
 * Decides what to do with a command, before anything runs: a duplicate is ignored; an invalid,
 * shadow or expired command is answered at once with every action SKIPPED (each validation
 * failure with its own code); a command of delegated actions only (alert-oncall) is answered
 * DELEGATED; anything else is executed.
 */
export function planCommand(
  command: HealingCommand,
  entry: LedgerEntry | undefined,
  registry: ComponentRegistry,
  now: number,
): Plan {
  if (entry) return { kind: 'duplicate', entry };
  const report = (reason: SkipReason, actions: ActionResult[], detail: string): Plan => ({
    kind: 'report',
    reason,
    outcome: outcomeOf(command, actions, 'UNKNOWN', detail, now, now),
  });
  const failure = validateActions(registry, command.component, command.actions);
  if (failure) {
    const error = `${failure.code}: ${failure.message}`;
    const detail = command.mode === 'SHADOW' ? 'shadow' : 'not run: the command failed validation';
    return report(
      failure.code,
      command.actions.map((a) => skipped(a.name, detail, error)),
      `nothing ran: ${error}`,
    );
  }
  if (command.mode === 'SHADOW') {
    return report(
      'SHADOW',
      command.actions.map((a) => skipped(a.name, 'shadow')),
      'shadow mode: nothing ran',
    );
  }
  if (now > command.deadline) {
    const error = `EXPIRED: deadline ${new Date(command.deadline).toISOString()} passed before the command could run`;
    return report(
      'EXPIRED',
      command.actions.map((a) => skipped(a.name, 'not run: too late', error)),
      `nothing ran: ${error}`,
    );
  }
  const component = registry.components.get(command.component) as Component;
  const actions = plannedActions(command, registry);
  if (actions.every((a) => a.delegated)) {
    return report(
      'DELEGATED_ONLY',
      actions.map((a) => ({
        name: a.name,
        status: 'DELEGATED',
        durationMs: 0,
        error: null,
        detail: 'the escalator pages on-call',
      })),
      'nothing ran here: delegated to the escalator',
    );
  }
  return { kind: 'execute', component, actions };
}
