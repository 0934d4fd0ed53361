/**
 * What every healstream service stands on: validated config, JSON logs, Prometheus metrics,
 * the health server, and the exactly-once consume → process → produce loop.
 *
 *   const config = loadConfig(baseEnvSchema, process.env);
 *   const logger = createLogger('detector', config.LOG_LEVEL);
 *   const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'detector', logger });
 *   const loop = new TransactionalLoop({ kafka, serde, logger, metrics, ... });
 */
export { loadConfig, baseEnvSchema, type BaseEnv } from './config.js';
export { createLogger, kafkaLogCreator, quietKafkajsTimerWarnings, type Logger } from './logger.js';
export { createRegistry, loopMetrics, Registry, type LoopMetrics } from './metrics.js';
export { startHealthServer, type HealthServer } from './http-server.js';
export { deadLetter, dlqHeaders, readDeadLetterHeaders, errorCode } from './dead-letter.js';
export {
  TransactionalLoop,
  type TransactionalLoopOptions,
  type PartitionHandler,
  type InboundRecord,
  type InboundOf,
  type Outbound,
  type Emit,
  type LoopInput,
  type LoopOutput,
  type PartitionContext,
} from './transactional-loop.js';
export { backoffDelay } from './backoff.js';
export { CoPartitionAssigner } from './co-partition-assigner.js';
export { KeyedLock } from './partition-lock.js';
export { ChangelogRestorer, PartitionState } from './changelog-store.js';
export { createKafka, partitioner } from './kafka-client.js';
export { onShutdownSignal } from './shutdown.js';
export {
  runService,
  serviceMain,
  defineService,
  groupIdFor,
  type ServiceDefinition,
  type ServiceDeps,
  type RunningService,
} from './service.js';
export { createTopics, type TopicsReport } from './topics-admin.js';
