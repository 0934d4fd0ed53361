import { Serde, topicsFor } from '@healstream/contracts';
import {
  createRegistryClient,
  retryWhileTransient,
  serviceMain,
  serviceParts,
  startHealthServer,
  startTracing,
} from '@healstream/runtime';
import { ingestEnvSchema } from './config.js';
import { ingestRoutes } from './http.js';
import { ingestHandlers } from './ingest.js';
import { ingestMetrics } from './metrics.js';
import { TransactionalPublisher } from './publisher.js';

await serviceMain('ingest', async () => {
  const { config, logger, registry, kafka } = serviceParts('ingest', ingestEnvSchema);
  const tracing = startTracing({ service: 'ingest', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const serde = new Serde(createRegistryClient(config), config.SCHEMA_COMPATIBILITY);
  const topics = {
    metrics: topicsFor(config.HEALSTREAM_TOPIC_PREFIX).metrics.topic,
    events: topicsFor(config.HEALSTREAM_TOPIC_PREFIX).reliabilityEvents.topic,
  };
  // A registry that is down at start-up is waited for; the HTTP port opens once it answers.
  await retryWhileTransient(
    'registering schemas',
    async () => {
      await serde.registerTopic(topics.metrics, 'MetricSample');
      await serde.registerTopic(topics.events, 'ReliabilityEvent');
    },
    { logger },
  );
  const publisher = new TransactionalPublisher(
    kafka,
    `${config.HEALSTREAM_TOPIC_PREFIX}ingest:${config.HEALSTREAM_INSTANCE_ID}`,
    logger,
  );
  const handlers = ingestHandlers({
    config,
    topics,
    serde,
    publisher,
    metrics: ingestMetrics(registry),
    logger,
    now: Date.now,
  });
  const http = await startHealthServer({
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    registry,
    ready: () => true,
    handle: ingestRoutes(handlers, config.INGEST_MAX_BODY_BYTES),
  });
  logger.info(
    { port: http.port, ...topics },
    'ingest listening: POST /api/v1/write, /api/v1/alerts',
  );
  return {
    logger,
    stop: async () => {
      await http.close();
      await tracing.shutdown();
      await publisher.close();
    },
  };
});
