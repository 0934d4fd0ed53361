import type { Escalation, topicsFor } from '@healstream/contracts';
import { approvalsChanged, type ApprovalEffects } from '@healstream/core';
import type { Emit, Logger } from '@healstream/runtime';

/** What settling approvals produced, emitted in the transaction of the record that caused it. */
export function emitApprovalEffects(
  fx: ApprovalEffects,
  emit: Emit,
  topics: ReturnType<typeof topicsFor>,
  requestKey: (e: Escalation) => string,
  logger: Logger,
  partition: number,
): { verdict: string; policy: string | null }[] {
  for (const d of fx.decisions) {
    emit({ topic: topics.healingDecisions.topic, key: d.component, value: d });
    logger.info(
      { incidentId: d.incidentId, commandId: d.commandId, verdict: d.verdict, policy: d.policy },
      d.reason,
    );
  }
  for (const c of fx.commands)
    emit({ topic: topics.healingCommands.topic, key: c.component, value: c });
  for (const e of fx.escalations)
    emit({ topic: topics.escalationRequests.topic, key: requestKey(e), value: e });
  // The audit line of an answer that changed nothing (repeated, late, or for a settled command).
  for (const note of fx.notes) logger.info({ partition }, note);
  return fx.decisions.map((d) => ({ verdict: d.verdict, policy: d.policy }));
}

/** Whether settling changed anything worth writing to the changelog. */
export const changed = approvalsChanged;
