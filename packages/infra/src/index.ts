export { up, down, status, logFiles, type ComponentStatus, type UpReport } from './lifecycle.js';
export { kafkaServerProperties, formatKafkaStorage, kafkaJava } from './kafka-config.js';
export {
  brokerNodes,
  brokerProperties,
  clusterAddress,
  REPLICATED,
  type BrokerNode,
} from './brokers.js';
export { infraSettings, brokerCount, KAFKA_VERSION, REGISTRY_VERSION } from './settings.js';
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
