import type { ControlRecord } from '@healstream/contracts';

/** A control record with every field at its neutral value, overridden by the test. */
export function controlRecord(overrides: Partial<ControlRecord>): ControlRecord {
  return {
    controlId: 'maintenance:test',
    kind: 'MAINTENANCE',
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
    author: 'alice',
    comment: 'test',
    createdAt: 0,
    ...overrides,
  };
}
