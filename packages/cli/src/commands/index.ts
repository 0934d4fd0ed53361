import type { Command } from '../command.js';

/** Every CLI command. Each lives in its own file in this folder; add it here. */
export const commands: Command[] = [];
