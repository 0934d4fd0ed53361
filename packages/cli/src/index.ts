export { runCli } from './run-cli.js';
export { spawnService, stopServices, serviceEnv, whenReady, SERVICES } from './commands/start.js';
export {
  compiledEntry,
  ensureCompiled,
  serviceArgs,
  SERVICE_ENV,
  SERVICE_NODE_FLAGS,
  SERVICE_RUNTIMES,
  type ServiceRuntime,
} from './service-command.js';
