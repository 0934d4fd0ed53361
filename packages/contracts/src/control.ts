import type { ControlRecord } from './generated/records.js';

/**
 * A control record with every field its kind does not use at its neutral value: what names it
 * (controlId, kind), who and when are the caller's; the rest defaults as the schema does.
 */
export function controlRecord(
  fields: Pick<ControlRecord, 'controlId' | 'kind' | 'author' | 'createdAt'> &
    Partial<ControlRecord>,
): ControlRecord {
  const { controlId, kind, author, createdAt, ...rest } = fields;
  // In the schema's field order, so every record prints alike whoever built it.
  return {
    controlId,
    kind,
    action: 'SET',
    scope: { all: false, component: null, team: null, labels: {} },
    startsAt: null,
    endsAt: null,
    recurrence: null,
    holdPages: false,
    incidentId: null,
    commandId: null,
    approved: null,
    policy: null,
    policyMode: null,
    version: null,
    document: null,
    author,
    comment: '',
    createdAt,
    ...rest,
  };
}
