import type { HealingCommand, HealingOutcome } from './generated/records.js';

/** What a command's run produced; the rest of its outcome comes from the command itself. */
export type OutcomeResult = Pick<
  HealingOutcome,
  'actions' | 'verification' | 'verificationDetail' | 'startedAt' | 'finishedAt'
>;

/** The outcome of a command: its identity (command, incident, component, policy, attempt, mode) and the result. */
export function outcomeFor(command: HealingCommand, result: OutcomeResult): HealingOutcome {
  return {
    commandId: command.commandId,
    incidentId: command.incidentId,
    component: command.component,
    policy: command.policy.name,
    attempt: command.attempt,
    mode: command.mode,
    ...result,
  };
}
