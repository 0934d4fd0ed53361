import { z } from 'zod';
import type { HealingCommand } from '@healstream/contracts';
import type { DecisionConfig } from './config.js';

/**
 * A command that waits for a person, and once answered, how it ended. Settled entries are
 * kept for the incident retention, so a repeated or late answer is recognised (and only noted)
 * instead of acting a second time.
 */
export const approvalEntrySchema = z.object({
  command: z.custom<HealingCommand>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { commandId?: unknown }).commandId === 'string',
    'an approval entry needs its command',
  ),
  /** The diagnosed causes at the request, for the decisions that settle it. */
  causes: z.array(z.string()),
  cooldownSeconds: z.number(),
  requestedAt: z.number(),
  /** Unanswered by then (event time): onTimeout. */
  deadline: z.number(),
  onTimeout: z.enum(['escalate', 'run']),
  /** pending, or how it ended: approved, denied, escalated (timeout), ran (timeout), cancelled. */
  status: z.enum(['pending', 'approved', 'denied', 'escalated', 'ran', 'cancelled']),
  settledAt: z.number().nullable(),
  /** Who answered (the control record's author), or null for a timeout or a cancellation. */
  settledBy: z.string().nullable(),
  comment: z.string(),
});

export type ApprovalEntry = z.infer<typeof approvalEntrySchema>;

/** commandId → entry; the field of EvaluatorState (absent in states written before approvals). */
export const approvalsSchema = z.record(z.string(), approvalEntrySchema).default({});

/** Pending entries stay until answered or timed out; settled ones for the incident retention. */
export function pruneApprovals(
  approvals: Record<string, ApprovalEntry>,
  now: number,
  config: DecisionConfig,
): Record<string, ApprovalEntry> {
  const kept: Record<string, ApprovalEntry> = {};
  for (const id in approvals) {
    const entry = approvals[id]!;
    if (entry.status === 'pending' || now - (entry.settledAt ?? now) <= config.incidentRetentionMs)
      kept[id] = entry;
  }
  return kept;
}
