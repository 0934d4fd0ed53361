export {
  up,
  down,
  status,
  logFiles,
  kafkaServerProperties,
  formatKafkaStorage,
  kafkaJava,
} from './lifecycle.js';
export { infraSettings, KAFKA_VERSION, REGISTRY_VERSION } from './settings.js';
export { residentMiB } from './processes.js';
export {
  startAlertmanager,
  alertmanagerBin,
  freePort,
  type AlertmanagerAlert,
  type RunningAlertmanager,
} from './alertmanager.js';
export { missingDownloads } from './fetch.js';
export { reportGrowth, folderBytes } from './progress.js';
