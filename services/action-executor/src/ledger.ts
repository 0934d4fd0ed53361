import type { ActionResult, HealingCommand, Verification } from '@healstream/contracts';

/**
 * The idempotency ledger, keyed by commandId, in the compacted `action-executor.ledger`.
 * `started` is committed with the command's offsets before any action runs, and carries the
 * command and the results of the actions finished so far, so whoever finds it unfinished
 * after a crash can report without running anything again. `finished` ends it.
 */
export type LedgerEntry =
  | {
      status: 'started';
      command: HealingCommand;
      startedAt: number;
      results: ActionResult[];
      /** The action whose intent was committed and that may be running (write-ahead). */
      acting?: string | null;
    }
  | {
      status: 'finished';
      commandId: string;
      startedAt: number;
      finishedAt: number;
      verification: Verification;
    };

export const started = (command: HealingCommand, startedAt: number): LedgerEntry => ({
  status: 'started',
  command,
  startedAt,
  results: [],
});

export const finished = (
  commandId: string,
  startedAt: number,
  finishedAt: number,
  verification: Verification,
): LedgerEntry => ({
  status: 'finished',
  commandId,
  startedAt,
  finishedAt,
  verification,
});
