import {
  baseEnvSchema,
  createLogger,
  createRegistry,
  loadConfig,
  runService,
  serviceMain,
} from '@healstream/runtime';
import { diagnoserService } from './diagnoser.js';

await serviceMain('diagnoser', async () => {
  const config = loadConfig(baseEnvSchema, process.env);
  const logger = createLogger('diagnoser', config.LOG_LEVEL, config.HEALSTREAM_INSTANCE_ID);
  const registry = createRegistry('diagnoser');
  const running = await runService(diagnoserService({ config, logger }), {
    config,
    logger,
    registry,
  });
  return { logger, stop: running.stop };
});
