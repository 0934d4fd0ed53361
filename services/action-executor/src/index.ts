/**
 * The action-executor: healing-commands → actions on the fleet → healing-outcomes, at most once
 * per (commandId, action), with an idempotency ledger in Kafka.
 *
 *   const executor = actionExecutorService({ config, settings: DEFAULT_SETTINGS, components, executors, kafka, logger, metrics });
 *   const running = await runService(executor.definition, { config, logger, registry, kafka });
 */
export { actionExecutorService } from './executor-service.js';
export { DEFAULT_SETTINGS, webhookSecrets, executorEnvSchema } from './config.js';
export { createExecutors } from './executors/select.js';
export { executorMetrics } from './metrics.js';
