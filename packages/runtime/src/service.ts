import type { Kafka } from 'kafkajs';
import { ConfigError, Serde, type TopicHandle } from '@healstream/contracts';
import { ChangelogRestorer } from './changelog-store.js';
import type { BaseEnv } from './config.js';
import { startHealthServer, type HealthServer } from './http-server.js';
import { createKafka, createRegistryClient, explainConnectionError } from './kafka-client.js';
import type { Logger } from './logger.js';
import { loopMetrics, type Registry } from './metrics.js';
import { onShutdownSignal } from './shutdown.js';
import {
  startTracing,
  tracedHandler,
  tracedPartitionContext,
  withTraceHeaders,
} from './tracing.js';
import {
  TransactionalLoop,
  type InboundOf,
  type LoopOutput,
  type Outbound,
  type PartitionContext,
  type PartitionHandler,
} from './transactional-loop.js';

/**
 * What a service is: its inputs and outputs, and how to open a partition. The handler gets the
 * records of `inputs` typed by topic (`InboundOf`): build it with `defineService` to infer them.
 */
export interface ServiceDefinition<I extends TopicHandle = TopicHandle> {
  name: string;
  inputs: readonly I[];
  outputs: readonly LoopOutput[];
  /** See TransactionalLoopOptions.open. */
  open(
    partition: number,
    write: (records: Outbound[]) => Promise<void>,
    context: PartitionContext,
  ): Promise<PartitionHandler<InboundOf<I>>> | PartitionHandler<InboundOf<I>>;
  /** Extra readiness (e.g. a sink configured); the loop's own readiness always counts. */
  ready?: () => boolean;
  /** Runs after the loop stopped, before exit (close child processes, flush sinks). */
  close?: () => Promise<void>;
  maxRecordsPerTransaction?: number;
  /** Partitions handled at once unless HEALSTREAM_PARTITIONS_CONCURRENTLY says otherwise. */
  partitionsConsumedConcurrently?: number;
  /** The most a fetch brings of one partition; KAFKA_FETCH_MAX_BYTES_PER_PARTITION wins. */
  fetchMaxBytesPerPartition?: number;
}

/** Returns the definition as given; it is there so that the handler's records get typed. */
export function defineService<I extends TopicHandle>(
  definition: ServiceDefinition<I>,
): ServiceDefinition<I> {
  return definition;
}

export interface ServiceDeps {
  config: Readonly<BaseEnv>;
  logger: Logger;
  registry: Registry;
  kafka?: Kafka;
}

export interface RunningService {
  loop: TransactionalLoop;
  http: HealthServer;
  kafka: Kafka;
  serde: Serde;
  stop(): Promise<void>;
}

/** The consumer group of a service: one per service, shared by all its instances. */
export function groupIdFor(
  config: Pick<BaseEnv, 'HEALSTREAM_TOPIC_PREFIX'>,
  service: string,
): string {
  return `${config.HEALSTREAM_TOPIC_PREFIX}${service}`;
}

/** The restorer of a stateful service's changelog, its throwaway readers named after its group. */
export function changelogRestorerFor(
  service: string,
  changelogTopic: string,
  deps: { kafka: Kafka; config: Pick<BaseEnv, 'HEALSTREAM_TOPIC_PREFIX'>; logger: Logger },
): ChangelogRestorer {
  return new ChangelogRestorer({
    kafka: deps.kafka,
    changelogTopic,
    groupId: groupIdFor(deps.config, service),
    logger: deps.logger,
  });
}

/**
 * Wires a service: Kafka client, serde, the transactional loop, /healthz /readyz /metrics.
 * Everything it needs is passed in; it reads no environment.
 */
export async function runService(
  definition: ServiceDefinition,
  deps: ServiceDeps,
): Promise<RunningService> {
  const { config, logger, registry } = deps;
  const tracing = startTracing({
    service: definition.name,
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const kafka =
    deps.kafka ??
    createKafka({
      config,
      clientId: `${definition.name}-${config.HEALSTREAM_INSTANCE_ID}`,
      logger,
    });
  const serde = new Serde(createRegistryClient(config), config.SCHEMA_COMPATIBILITY);
  // The variables win over the definition, so a deployment (or the bench) can tune them.
  const maxRecordsPerTransaction =
    config.HEALSTREAM_MAX_RECORDS_PER_TRANSACTION ?? definition.maxRecordsPerTransaction;
  const fetchMaxBytesPerPartition =
    config.KAFKA_FETCH_MAX_BYTES_PER_PARTITION ?? definition.fetchMaxBytesPerPartition;
  const partitionsConsumedConcurrently =
    config.HEALSTREAM_PARTITIONS_CONCURRENTLY ?? definition.partitionsConsumedConcurrently;
  const loop = new TransactionalLoop({
    kafka,
    serde,
    logger,
    metrics: loopMetrics(registry),
    service: definition.name,
    groupId: groupIdFor(config, definition.name),
    inputs: definition.inputs,
    outputs: definition.outputs,
    open: async (partition, write, context) =>
      tracedHandler(
        definition.name,
        await definition.open(
          partition,
          (records) => write(records.map((r) => withTraceHeaders(r))),
          tracedPartitionContext(context),
        ),
      ),
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    stallMs: config.HEALSTREAM_STALL_SECONDS * 1000,
    fetchMaxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS,
    ...(partitionsConsumedConcurrently ? { partitionsConsumedConcurrently } : {}),
    ...(maxRecordsPerTransaction ? { maxRecordsPerTransaction } : {}),
    ...(fetchMaxBytesPerPartition ? { fetchMaxBytesPerPartition } : {}),
  });
  const http = await startHealthServer({
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    registry,
    ready: () => ({
      ready: loop.isReady() && (definition.ready?.() ?? true),
      detail: {
        partitions: loop.assignedPartitions(),
        stalled: loop.stalledPartitions(),
        halted: loop.haltedPartitions(),
      },
    }),
  });
  logger.info({ port: http.port }, 'health server listening');
  try {
    await loop.start();
  } catch (error) {
    await loop.stop().catch(() => {});
    await http.close();
    throw explainConnectionError(error, config);
  }
  logger.info({ inputs: definition.inputs.map((i) => i.topic) }, 'consuming');
  let stopped: Promise<void> | undefined;
  return {
    loop,
    http,
    kafka,
    serde,
    stop: () =>
      (stopped ??= (async () => {
        await loop.stop();
        await definition.close?.();
        await http.close();
        await tracing.shutdown();
      })()),
  };
}

/**
 * The whole life of a service process: build it, stop it cleanly on SIGTERM/SIGINT. A bad
 * configuration exits 2 with one line naming the variables; any other start-up failure exits 1.
 */
export async function serviceMain(
  name: string,
  start: () => Promise<{ logger: Logger; stop: () => Promise<void> }>,
): Promise<void> {
  try {
    const running = await start();
    onShutdownSignal(running.logger, running.stop);
  } catch (error) {
    // Configuration problems (ours, or the core's policy and component files) are the user's
    // to fix: the message alone, which names the variable or file:line:column, and exit 2.
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `${name}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  }
}
