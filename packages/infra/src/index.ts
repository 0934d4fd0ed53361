export { up, down, status, logFiles } from './lifecycle.js';
export { kafkaServerProperties, formatKafkaStorage, kafkaJava } from './kafka-config.js';
export { brokerNodes } from './brokers.js';
export { infraSettings, brokerCount, KAFKA_VERSION, REGISTRY_VERSION } from './settings.js';
export { residentMiB } from './processes.js';
export {
  startAlertmanager,
  alertmanagerBin,
  type AlertmanagerAlert,
  type RunningAlertmanager,
} from './alertmanager.js';
export { freePort, listenRange } from './ports.js';
