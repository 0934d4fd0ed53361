export { detectorService } from './detector.js';
export { detectorEnvSchema } from './config.js';
