import { runService, serviceMain, serviceParts } from '@healstream/runtime';
import { detectorEnvSchema, loadDetectorConfig } from './config.js';
import { detectorService } from './detector.js';

await serviceMain('detector', async () => {
  const { config, logger, registry, kafka } = serviceParts('detector', detectorEnvSchema);
  const detector = loadDetectorConfig(config.DETECTOR_CONFIG, config.COMPONENTS_FILE);
  const running = await runService(detectorService({ config, detector, kafka, logger }), {
    config,
    logger,
    registry,
    kafka,
  });
  return { logger, stop: running.stop };
});
