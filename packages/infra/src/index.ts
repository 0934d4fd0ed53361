export { up, down, status, logFiles, type UpReport, type ComponentStatus } from './lifecycle.js';
export {
  infraSettings,
  brokerAddress,
  registryUrl,
  paths,
  KAFKA_VERSION,
  REGISTRY_VERSION,
  type InfraSettings,
} from './settings.js';
export { residentMiB } from './processes.js';
export {
  startAlertmanager,
  alertmanagerBin,
  freePort,
  type AlertmanagerAlert,
  type RunningAlertmanager,
} from './alertmanager.js';
