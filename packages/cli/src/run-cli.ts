import { CliError, helpText, parseCommandArgs, type Command, type CommandIo } from './command.js';
import { commands as allCommands } from './commands/index.js';
import { explainFailure } from './connection.js';

function findCommand(
  commands: Command[],
  argv: string[],
): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const n = command.path.length;
    if (argv.length >= n && command.path.every((word, i) => argv[i] === word)) {
      if (!best || n > best.command.path.length) best = { command, rest: argv.slice(n) };
    }
  }
  return best;
}

export function overview(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length), 10);
  return [
    'healstream — a self-healing engine on Kafka',
    '',
    'usage: healstream <command> [options]   (every command takes --help)',
    '',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** Runs one CLI invocation; returns the exit code. Never calls process.exit. */
export async function runCli(
  argv: string[],
  io: CommandIo,
  commands: Command[] = allCommands,
): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(overview(commands));
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(commands, argv);
  if (!found) {
    io.err(
      `healstream: unknown command '${argv.join(' ')}' (run 'healstream --help' for the list)`,
    );
    return 2;
  }
  try {
    const args = parseCommandArgs(found.command, found.rest);
    if (args.values['help'] === true) {
      io.out(helpText(found.command));
      return 0;
    }
    return await found.command.run(args, io);
  } catch (thrown) {
    const error = explainFailure(thrown, io.env);
    if (error instanceof CliError) {
      io.err(`healstream: ${error.message}`);
      return error.exitCode;
    }
    // Any other failure still ends as one line a person can act on; the stack on request.
    const message = error instanceof Error ? error.message : String(error);
    io.err(`healstream ${found.command.path.join(' ')}: ${message.split('\n')[0]}`);
    if (io.env['HEALSTREAM_DEBUG'])
      io.err(error instanceof Error ? (error.stack ?? message) : message);
    return 1;
  }
}
