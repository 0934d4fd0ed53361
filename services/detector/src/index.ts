export { detectorService, type DetectorOptions } from './detector.js';
export { detectorEnvSchema, loadDetectorConfig } from './config.js';
