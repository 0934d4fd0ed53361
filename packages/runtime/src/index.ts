/**
 * What every healstream service stands on: validated config, JSON logs, Prometheus metrics,
 * the health server, and the exactly-once consume → process → produce loop.
 *
 *   const config = loadConfig(baseEnvSchema, process.env);
 *   const logger = createLogger('detector', config.LOG_LEVEL);
 *   const kafka = createKafka({ config, clientId: 'detector', logger });
 *   const running = await runService(detectorService({ config, ... }), { config, logger, registry, kafka });
 */
export { loadConfig, baseEnvSchema, type BaseEnv } from './config.js';
export { createLogger, quietKafkajsTimerWarnings, type Logger } from './logger.js';
export { createRegistry, loopMetrics, Registry } from './metrics.js';
export { deadLetter, dlqHeaders, readDeadLetterHeaders } from './dead-letter.js';
export {
  redriveDeadLetters,
  redriveGroupId,
  redriveProgress,
  RedriveRefusedError,
} from './dead-letter-redrive.js';
export {
  type PartitionHandler,
  type InboundOf,
  type Outbound,
  type Emit,
  type PartitionContext,
} from './transactional-loop.js';
export { backoffDelay } from './backoff.js';
export { retryWhileTransient } from './retry-transient.js';
export {
  PartitionState,
  RecordScratch,
  type KeyValue,
  type TransactionalState,
} from './changelog-store.js';
export {
  createKafka,
  createRegistryClient,
  explainConnectionError,
  partitioner,
} from './kafka-client.js';
export { type ConnectionEnv } from './connection-security.js';
export {
  runService,
  serviceMain,
  defineService,
  changelogRestorerFor,
  groupIdFor,
  type ServiceDefinition,
  type RunningService,
} from './service.js';
export { serviceParts } from './service-parts.js';
export {
  createTopics,
  deleteThrowawayGroup,
  waitForLeaders,
  type TopicsReport,
} from './topics-admin.js';
export { startHealthServer } from './http-server.js';
export {
  enableTraceContext,
  activeTraceHeaders,
  inSpan,
  inSpanFrom,
  keepTraceContext,
  startTracing,
} from './tracing.js';
export { onShutdownSignal } from './shutdown.js';
export { publishControl } from './control-topic.js';
