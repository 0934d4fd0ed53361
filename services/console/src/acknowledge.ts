import { controlRecord, type ControlRecord } from '@healstream/contracts';

/**
 * `POST /api/incidents/:id/ack` with `{"author": "...", "comment": "..."}`: the same
 * ACKNOWLEDGE control record `healstream ack` writes, to every partition of the control topic.
 * The bearer token says the caller may change things; the body says who they are.
 */
export function ackRecord(
  incidentId: string,
  body: unknown,
  now: number,
): ControlRecord | { error: string } {
  const b = (body ?? {}) as { author?: unknown; comment?: unknown };
  if (typeof b.author !== 'string' || b.author.trim() === '')
    return { error: 'author: who acknowledges (a non-empty string)' };
  if (b.comment !== undefined && typeof b.comment !== 'string')
    return { error: 'comment: a string' };
  return controlRecord({
    controlId: `ack:${incidentId}`,
    kind: 'ACKNOWLEDGE',
    incidentId,
    author: b.author.trim(),
    comment: b.comment ?? '',
    createdAt: now,
  });
}
