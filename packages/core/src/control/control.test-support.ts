import { controlRecord as neutral, type ControlRecord } from '@healstream/contracts';

/** A control record with every field at its neutral value, overridden by the test. */
export function controlRecord(overrides: Partial<ControlRecord>): ControlRecord {
  return neutral({
    controlId: 'maintenance:test',
    kind: 'MAINTENANCE',
    author: 'alice',
    comment: 'test',
    createdAt: 0,
    ...overrides,
  });
}
