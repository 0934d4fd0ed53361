export { runCli, overview } from './run-cli.js';
export { CliError, type Command, type CommandIo, type ParsedArgs } from './command.js';
