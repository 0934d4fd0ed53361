export { diagnoserService } from './diagnoser.js';
