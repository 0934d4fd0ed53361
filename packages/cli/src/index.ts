export { runCli } from './run-cli.js';
export { spawnService, stopServices, serviceEnv, SERVICES } from './commands/start.js';
