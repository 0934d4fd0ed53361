import type { Kafka } from 'kafkajs';
import type { z } from 'zod';
import { loadConfig, type BaseEnv } from './config.js';
import { createKafka } from './kafka-client.js';
import { createLogger, type Logger } from './logger.js';
import { createRegistry, type Registry } from './metrics.js';

export interface ServiceParts<C> {
  config: C;
  logger: Logger;
  registry: Registry;
  kafka: Kafka;
}

/**
 * What every service's composition root starts with: its configuration from the environment,
 * then a logger, a metrics registry and a Kafka client named after the service and the instance
 * (`<service>-<HEALSTREAM_INSTANCE_ID>`), so that every service's logs, metrics and broker
 * connections say the same who.
 */
export function serviceParts<S extends z.ZodType<BaseEnv>>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): ServiceParts<Readonly<z.infer<S>>> {
  const config = loadConfig(schema, env);
  const logger = createLogger(service, config.LOG_LEVEL, config.HEALSTREAM_INSTANCE_ID);
  const registry = createRegistry(service);
  const kafka = createKafka({
    config,
    clientId: `${service}-${config.HEALSTREAM_INSTANCE_ID}`,
    logger,
  });
  return { config, logger, registry, kafka };
}
