import type { ControlRecord } from '@healstream/contracts';

export { controlRecord } from '@healstream/contracts';
import { publishControl } from '@healstream/runtime';
import type { CommandIo } from '../command.js';
import { cliKafka, resolveEnv } from '../connection.js';

/** Who a control record names: --author, else HEALSTREAM_AUTHOR, else the login name. */
export function authorOf(io: CommandIo, option: unknown): string {
  if (typeof option === 'string' && option.trim()) return option.trim();
  return io.env['HEALSTREAM_AUTHOR'] || io.env['USER'] || io.env['LOGNAME'] || 'unknown';
}

/** Publishes one record to every partition of the control topic; the partitions written. */
export async function writeControl(io: CommandIo, record: ControlRecord): Promise<number[]> {
  const config = await resolveEnv(io);
  return publishControl(cliKafka(config), config, record);
}
