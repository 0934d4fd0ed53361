import type { ControlRecord } from '@healstream/contracts';
import { publishControl } from '@healstream/runtime';
import type { CommandIo } from '../command.js';
import { cliKafka, resolveEnv } from '../connection.js';

/** Who a control record names: --author, else HEALSTREAM_AUTHOR, else the login name. */
export function authorOf(io: CommandIo, option: unknown): string {
  if (typeof option === 'string' && option.trim()) return option.trim();
  return io.env['HEALSTREAM_AUTHOR'] || io.env['USER'] || io.env['LOGNAME'] || 'unknown';
}

/** A control record with every field its kind does not use at its default. */
export function controlRecord(
  fields: Pick<ControlRecord, 'controlId' | 'kind' | 'author' | 'createdAt'> &
    Partial<ControlRecord>,
): ControlRecord {
  return {
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
    comment: '',
    ...fields,
  };
}

/** Publishes one record to every partition of the control topic; the partitions written. */
export async function writeControl(io: CommandIo, record: ControlRecord): Promise<number[]> {
  const config = await resolveEnv(io);
  return publishControl(cliKafka(config), config, record);
}
