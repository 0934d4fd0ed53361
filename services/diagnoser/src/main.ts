import { baseEnvSchema, runService, serviceMain, serviceParts } from '@healstream/runtime';
import { diagnoserService } from './diagnoser.js';

await serviceMain('diagnoser', async () => {
  const { config, logger, registry, kafka } = serviceParts('diagnoser', baseEnvSchema);
  const running = await runService(diagnoserService({ config, logger }), {
    config,
    logger,
    registry,
    kafka,
  });
  return { logger, stop: running.stop };
});
