/**
 * The action-executor: healing-commands → actions on the fleet → healing-outcomes, at most once
 * per (commandId, action), with an idempotency ledger in Kafka.
 *
 *   const executor = actionExecutorService({ config, settings: DEFAULT_SETTINGS, components, executors, kafka, logger, metrics });
 *   const running = await runService(executor.definition, { config, logger, registry, kafka });
 */
export {
  actionExecutorService,
  type ActionExecutorOptions,
  type ActionExecutorService,
  type ExecutorHooks,
} from './executor-service.js';
export {
  DEFAULT_SETTINGS,
  executorEnvSchema,
  settingsFrom,
  webhookSecrets,
  type ExecutorEnv,
  type ExecutorSettings,
} from './config.js';
export { createExecutors } from './executors/select.js';
export { dockerExecutor } from './executors/docker-executor.js';
export { httpExecutor } from './executors/http-executor.js';
export {
  kubernetesExecutor,
  type KubernetesExecutorOptions,
} from './executors/kubernetes-executor.js';
export { processExecutor } from './executors/process-executor.js';
export {
  ExecutorError,
  unavailableExecutor,
  type ActionCall,
  type ActionExecutor,
} from './executors/types.js';
export { executorMetrics, type ExecutorMetrics } from './metrics.js';
export {
  planCommand,
  plannedActions,
  outcomeOf,
  type Plan,
  type PlannedAction,
  type SkipReason,
} from './plan.js';
export { Resilience, type GuardedResult } from './resilience.js';
export { runCommand, interruptedResults, type RunDeps, type RunResult } from './run-command.js';
export { verifyHealth, type VerifyOptions, type VerifyResult } from './verify.js';
export type { LedgerEntry } from './ledger.js';
