import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { Counter, Gauge } from 'prom-client';
import { Serde, topicsFor, type ControlRecord } from '@healstream/contracts';
import { IncidentStore, readIntoStore, type StoreFeed } from '@healstream/incidents';
import {
  createRegistryClient,
  publishControl,
  startHealthServer,
  type Logger,
  type Registry,
} from '@healstream/runtime';
import type { ConsoleEnv } from './config.js';
import { LiveHub } from './live.js';
import { handle } from './routes.js';

export const SERVICE = 'console';

export interface ConsoleDeps {
  config: Readonly<ConsoleEnv>;
  kafka: Kafka;
  logger: Logger;
  registry: Registry;
  /** The team of a component whose records carry no team label. */
  teamOf?: (component: string) => string | null;
  now?: () => number;
}

export interface RunningConsole {
  /** Where the console answers, e.g. http://127.0.0.1:9480. */
  url: string;
  store: IncidentStore;
  feed: StoreFeed;
  stop(): Promise<void>;
}

export function storePath(
  config: Pick<ConsoleEnv, 'HEALSTREAM_CONSOLE_STORE' | 'HEALSTREAM_TOPIC_PREFIX'>,
): string {
  return (
    config.HEALSTREAM_CONSOLE_STORE ??
    join('.healstream', 'console', `${config.HEALSTREAM_TOPIC_PREFIX || 'default.'}incidents.db`)
  );
}

/**
 * The console: a store fed from the topics by a consumer group of its own, the web view on
 * HEALSTREAM_CONSOLE_HOST:PORT (loopback by default) and /healthz /readyz /metrics on HTTP_PORT.
 */
export async function startConsole(deps: ConsoleDeps): Promise<RunningConsole> {
  const { config, kafka, logger, registry } = deps;
  const now = deps.now ?? Date.now;
  const prefix = config.HEALSTREAM_TOPIC_PREFIX;
  const path = storePath(config);
  const store = IncidentStore.open({ path, ...(deps.teamOf ? { teamOf: deps.teamOf } : {}) });
  const applied = new Counter({
    name: 'healstream_console_incident_updates_total',
    help: 'Incidents updated in the console store by records read from the topics.',
    registers: [registry],
  });
  new Gauge({
    name: 'healstream_console_incidents',
    help: 'Incidents in the console store, by status.',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const c = store.counts();
      this.set({ status: 'open' }, c.open);
      this.set({ status: 'resolved' }, c.incidents - c.open);
    },
  });
  const live = new LiveHub();
  const started = Date.now();
  const feed = await readIntoStore(kafka, new Serde(createRegistryClient(config)), store, {
    prefix,
    groupId: `${prefix}console-${config.HEALSTREAM_INSTANCE_ID}`,
    onApplied: (touched) => {
      applied.inc(touched.incidents.size);
      if (touched.incidents.size) live.send('incidents', { ids: [...touched.incidents] });
      if (touched.deadLetters) live.send('dead-letters', { count: touched.deadLetters });
    },
    onSkipped: (topic, partition, offset, error) =>
      logger.warn(
        { topic, partition, offset, err: error.message },
        'record skipped: cannot decode',
      ),
  });
  void feed.untilCaughtUp(600_000).then(
    () =>
      logger.info(
        { store: path, ms: Date.now() - started, ...store.counts() },
        'store caught up with the topics',
      ),
    (error: Error) => logger.warn({ err: error.message }, 'store still behind the topics'),
  );
  const routeDeps = {
    store,
    kafka,
    prefix,
    deadLetterTopics: topicsFor(prefix).deadLetters.map((t) => t.topic),
    auth: {
      token: config.HEALSTREAM_CONSOLE_TOKEN,
      publicRead: config.HEALSTREAM_CONSOLE_PUBLIC_READ,
    },
    live,
    now,
    recentMs: 24 * 3600_000,
    publishControl: (record: ControlRecord) => publishControl(kafka, config, record),
  };
  const web = await startHealthServer({
    port: config.HEALSTREAM_CONSOLE_PORT,
    host: config.HEALSTREAM_CONSOLE_HOST,
    registry,
    ready: () => feed.caughtUp(),
    handle: (req, res, p) => handle(routeDeps, req, res, p),
  });
  const health = await startHealthServer({
    port: config.HTTP_PORT,
    registry,
    ready: () => ({ ready: feed.caughtUp(), detail: store.counts() }),
  });
  const host = config.HEALSTREAM_CONSOLE_HOST.includes(':')
    ? `[${config.HEALSTREAM_CONSOLE_HOST}]`
    : config.HEALSTREAM_CONSOLE_HOST;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${web.port}`;
  logger.info(
    {
      url,
      store: path,
      health: health.port,
      auth: config.HEALSTREAM_CONSOLE_TOKEN ? 'token' : 'none',
    },
    'console listening',
  );
  let stopped: Promise<void> | undefined;
  return {
    url,
    store,
    feed,
    stop: () =>
      (stopped ??= (async () => {
        live.close();
        await feed.stop();
        await web.close();
        await health.close();
        store.close();
      })()),
  };
}
