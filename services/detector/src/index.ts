export { detectorService } from './detector.js';
