export { runCli, overview } from './run-cli.js';
export { CliError, type Command, type CommandIo, type ParsedArgs } from './command.js';
export {
  spawnService,
  stopServices,
  serviceEnv,
  SERVICES,
  type ServiceProcess,
} from './commands/start.js';
