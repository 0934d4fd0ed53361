import { loadComponents } from '@healstream/core';
import {
  createKafka,
  createLogger,
  createRegistry,
  loadConfig,
  runService,
  serviceMain,
} from '@healstream/runtime';
import { executorEnvSchema, settingsFrom, webhookSecrets } from './config.js';
import { actionExecutorService } from './executor-service.js';
import { createExecutors } from './executors/select.js';
import { executorMetrics } from './metrics.js';

await serviceMain('action-executor', async () => {
  const config = loadConfig(executorEnvSchema, process.env);
  const components = loadComponents(config.COMPONENTS_FILE);
  const secrets = webhookSecrets(components, process.env, config.WEBHOOK_SECRET);
  const logger = createLogger('action-executor', config.LOG_LEVEL, config.HEALSTREAM_INSTANCE_ID);
  const registry = createRegistry('action-executor');
  const kafka = createKafka({
    config,
    clientId: `action-executor-${config.HEALSTREAM_INSTANCE_ID}`,
    logger,
  });
  logger.info(
    { components: [...components.components.keys()], supervisor: config.FLEET_SUPERVISOR_URL },
    'components loaded',
  );
  const executor = actionExecutorService({
    config,
    settings: settingsFrom(config),
    components,
    executors: createExecutors({
      supervisorUrl: config.FLEET_SUPERVISOR_URL,
      supervisorToken: config.FLEET_SUPERVISOR_TOKEN,
      webhookSecrets: secrets,
    }),
    kafka,
    logger,
    metrics: executorMetrics(registry),
  });
  const running = await runService(executor.definition, { config, logger, registry, kafka });
  return {
    logger,
    stop: async () => {
      await executor.drain(config.DRAIN_TIMEOUT_MS);
      await running.stop();
    },
  };
});
