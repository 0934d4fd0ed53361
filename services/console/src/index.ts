/**
 * The incident console: incidents materialised from the topics, served as a web view.
 *
 *   const running = await startConsole({ config: loadConfig(consoleEnvSchema, env), kafka, logger, registry });
 *   console.log(running.url);
 */
export { consoleEnvSchema, type ConsoleEnv } from './config.js';
export {
  SERVICE,
  startConsole,
  storePath,
  type ConsoleDeps,
  type RunningConsole,
} from './console.js';
export { authorize, type AuthSettings } from './auth.js';
export { chartSvg } from './chart.js';
export { handle as handleConsoleRequest, type RouteDeps } from './routes.js';
export { LiveHub } from './live.js';
