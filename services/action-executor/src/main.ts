import { loadComponents } from '@healstream/core';
import { runService, serviceMain, serviceParts } from '@healstream/runtime';
import { executorEnvSchema, settingsFrom, webhookSecrets } from './config.js';
import { actionExecutorService } from './executor-service.js';
import { createExecutors } from './executors/select.js';
import { executorMetrics } from './metrics.js';

await serviceMain('action-executor', async () => {
  const { config, logger, registry, kafka } = serviceParts('action-executor', executorEnvSchema);
  const components = loadComponents(config.COMPONENTS_FILE);
  const secrets = webhookSecrets(components, process.env, config.WEBHOOK_SECRET);
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
