import { parseArgs, type ParseArgsConfig } from 'node:util';
import { optionHelp } from './option-help.js';

/** Where a command writes: injected so tests can capture output without a subprocess. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** The repository root, from which default paths (policies/, schemas/, ../shared) resolve. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/**
 * One CLI command. `path` is the words that select it (`['policies', 'validate']`).
 * `run` returns the exit code; it throws CliError for a one-line failure reason.
 */
export interface Command {
  path: readonly string[];
  summary: string;
  usage: string;
  options?: OptionSpec;
  run(args: ParsedArgs, io: CommandIo): Promise<number>;
}

/** A failure the user can act on: printed as one line, exit code 1 (or the given one). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (error) {
    throw new CliError(`${command.path.join(' ')}: ${(error as Error).message}`, 2);
  }
}

export function helpText(command: Command): string {
  const lines = [
    `healstream ${command.path.join(' ')} — ${command.summary}`,
    '',
    `usage: ${command.usage}`,
  ];
  const options: [string, { type: string; multiple?: boolean }][] = [
    ...Object.entries(command.options ?? {}),
    ['help', { type: 'boolean' }],
  ];
  const flags = options.map(([name, spec]) => {
    const arg = spec.type === 'string' ? ` <${name}>` : '';
    return `--${name}${arg}${spec.multiple ? ' …' : ''}`;
  });
  const width = Math.max(...flags.map((f) => f.length));
  lines.push('', 'options:');
  options.forEach(([name], i) => {
    const text = optionHelp(command.path, name) ?? '';
    lines.push(`  ${(flags[i] as string).padEnd(width)}  ${text}`.trimEnd());
  });
  return lines.join('\n');
}
