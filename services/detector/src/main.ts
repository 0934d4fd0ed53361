import {
  createKafka,
  createLogger,
  createRegistry,
  loadConfig,
  runService,
  serviceMain,
} from '@healstream/runtime';
import { detectorEnvSchema, loadDetectorConfig } from './config.js';
import { detectorService } from './detector.js';

await serviceMain('detector', async () => {
  const config = loadConfig(detectorEnvSchema, process.env);
  const detector = loadDetectorConfig(config.DETECTOR_CONFIG, config.COMPONENTS_FILE);
  const logger = createLogger('detector', config.LOG_LEVEL, config.HEALSTREAM_INSTANCE_ID);
  const registry = createRegistry('detector');
  const kafka = createKafka({
    config,
    clientId: `detector-${config.HEALSTREAM_INSTANCE_ID}`,
    logger,
  });
  const running = await runService(detectorService({ config, detector, kafka, logger }), {
    config,
    logger,
    registry,
    kafka,
  });
  return { logger, stop: running.stop };
});
