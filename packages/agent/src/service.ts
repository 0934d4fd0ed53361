import type { Kafka } from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Serde } from '@healstream/contracts';
import {
  partitioner,
  retryWhileTransient,
  startHealthServer,
  type Logger,
} from '@healstream/runtime';
import { MetricsAgent } from './agent.js';
import type { AgentSettings } from './targets.js';

export interface AgentServiceDeps {
  settings: AgentSettings;
  kafka: Kafka;
  serde: Serde;
  logger: Logger;
  registry: Registry;
  /** The metrics topic, prefix included. */
  topic: string;
  port: number;
  host?: string;
}

export interface RunningAgent {
  port: number;
  stop(): Promise<void>;
}

/**
 * The agent as a service of its own: scrapes the targets file's pages, publishes to the metrics
 * topic with an idempotent producer, serves /healthz, /readyz (ready once a round has been
 * published, and not ready when the last rounds failed to publish) and /metrics.
 */
export async function runAgentService(deps: AgentServiceDeps): Promise<RunningAgent> {
  const { settings, kafka, serde, logger, registry, topic } = deps;
  const rounds = new Counter({
    name: 'healstream_agent_rounds_total',
    help: 'Scrape rounds, by result (published, failed: the samples could not be sent).',
    labelNames: ['result'],
    registers: [registry],
  });
  const failedScrapes = new Counter({
    name: 'healstream_agent_scrape_failures_total',
    help: 'Targets that could not be scraped (refused, timed out, HTTP error); published as up 0.',
    registers: [registry],
  });
  const published = new Counter({
    name: 'healstream_agent_samples_published_total',
    help: 'MetricSamples the agent published.',
    registers: [registry],
  });
  const lastRound = new Gauge({
    name: 'healstream_agent_last_round_timestamp_seconds',
    help: 'When the last round was published (Unix seconds).',
    registers: [registry],
  });
  // A registry that is down at start-up is waited for, not a reason to exit.
  await retryWhileTransient(
    'registering schemas',
    () => serde.registerTopic(topic, 'MetricSample'),
    {
      logger,
    },
  );
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: partitioner,
  });
  await producer.connect();
  let lastPublished = 0;
  let failedInARow = 0;
  const agent = new MetricsAgent({
    ...settings,
    topic,
    producer,
    serde,
    logger,
    onRound: (round) => {
      failedInARow = 0;
      lastPublished = Date.now();
      rounds.inc({ result: 'published' });
      failedScrapes.inc(round.failed);
      published.inc(round.samples);
      lastRound.set(lastPublished / 1000);
    },
    onRoundFailed: () => {
      failedInARow++;
      rounds.inc({ result: 'failed' });
    },
  });
  const http = await startHealthServer({
    port: deps.port,
    registry,
    ...(deps.host ? { host: deps.host } : {}),
    ready: () => ({
      ready: lastPublished > 0 && failedInARow < 3,
      detail: { targets: settings.targets.length, failedInARow },
    }),
  });
  agent.start();
  logger.info(
    { targets: settings.targets.map((t) => t.component), port: http.port, topic },
    'agent scraping',
  );
  return {
    port: http.port,
    async stop() {
      await agent.stop();
      await producer.disconnect();
      await http.close();
    },
  };
}
