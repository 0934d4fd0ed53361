import type { Command } from '../command.js';
import { infraDown, infraLogs, infraStatus, infraUp } from './infra.js';
import { nab } from './nab.js';

/** Every CLI command. Each lives in its own file in this folder; add it here. */
export const commands: Command[] = [
  infraUp,
  infraDown,
  infraStatus,
  infraLogs,
  nab,
];
