/**
 * The incident console: incidents materialised from the topics, served as a web view.
 *
 *   const running = await startConsole({ config: loadConfig(consoleEnvSchema, env), kafka, logger, registry });
 *   console.log(running.url);
 */
export { consoleEnvSchema } from './config.js';
export { startConsole, type RunningConsole } from './console.js';
export { handle as handleConsoleRequest } from './routes.js';
export { LiveHub } from './live.js';
