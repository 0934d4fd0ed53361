import { controlRecord, type ControlRecord } from '@healstream/contracts';

/** Writes an operator's record to every partition of the control topic; the partitions. */
export type PublishControl = (record: ControlRecord) => Promise<number[]>;

/**
 * `POST /api/approvals/<commandId>` with `{"approved": true|false, "author": "…", "reason": "…"}`:
 * the same APPROVAL control record `healstream approve|deny` writes. The bearer token says the
 * caller may change things; `author` says who, for the decision's record (a denial needs a reason).
 */
export async function answerApproval(
  publish: PublishControl,
  commandId: string,
  body: unknown,
  now: number,
): Promise<{ status: 200; body: unknown } | { status: 400; error: string }> {
  const refuse = (error: string) => ({ status: 400 as const, error });
  const b = (body ?? {}) as { approved?: unknown; author?: unknown; reason?: unknown };
  if (typeof b.approved !== 'boolean')
    return refuse('approved: true (approve) or false (deny) is required');
  if (typeof b.author !== 'string' || !b.author.trim())
    return refuse('author: who answers is required, for the record');
  const reason = typeof b.reason === 'string' ? b.reason.trim() : '';
  if (!b.approved && !reason) return refuse('reason: a denial says why');
  if (!/^[\w.:-]{1,200}$/.test(commandId))
    return refuse(`not a command id: ${JSON.stringify(commandId)}`);
  const record = controlRecord({
    controlId: `approval:${commandId}`,
    kind: 'APPROVAL',
    commandId,
    approved: b.approved,
    author: b.author.trim(),
    comment: reason,
    createdAt: now,
  });
  const partitions = await publish(record);
  return {
    status: 200,
    body: { commandId, approved: b.approved, author: record.author, partitions: partitions.length },
  };
}
