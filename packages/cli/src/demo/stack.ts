import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { MetricsAgent } from '@healstream/agent';
import { Serde, topicsFor } from '@healstream/contracts';
import { loadComponents } from '@healstream/core';
import { freePort, memberSpecs, startControlServer, Supervisor } from '@healstream/fleet';
import { SupervisorClient } from '@healstream/supervisor-client';
import {
  createKafka,
  createLogger,
  createRegistryClient,
  partitioner,
  type ConnectionEnv,
} from '@healstream/runtime';
import { SERVICES, spawnService, stopServices, type ServiceProcess } from '../commands/start.js';
import { compiledMemberCommand } from '../service-command.js';
import { formatLogLine } from '../log-format.js';
import { startAlertmanager, type RunningAlertmanager } from '@healstream/infra';
import { writeDemoFiles, type DemoFiles } from './demo-files.js';
import { Journal, waitFor, type JournalEntry } from './journal.js';
import type { Teardown } from './teardown.js';
import { startTimeline } from './timeline.js';
import { createRunTopics, removeRunTopics, runPrefix } from './topics.js';
import { startWebhookSink, type WebhookSink } from './webhook-sink.js';

export interface StackOptions {
  repoRoot: string;
  /** The Kafka and registry to run on, with their TLS and credentials. */
  connection: ConnectionEnv;
  partitions: number;
  short: boolean;
  /** Progress lines. */
  say: (line: string) => void;
  /** Every service log line, formatted (for --verbose). */
  onServiceLine?: ((line: string) => void) | undefined;
  onEntry: (entry: JournalEntry) => void;
  signal: AbortSignal;
}

export interface DemoStack {
  prefix: string;
  files: DemoFiles;
  fleet: SupervisorClient;
  journal: Journal;
  alertmanager: RunningAlertmanager | null;
  webhook: WebhookSink;
  /** Last log lines of each service, for when one dies. */
  serviceLogs: Map<string, string[]>;
  services: ServiceProcess[];
  /** The latest scraped value of each metric, per component. */
  latest: Map<string, Map<string, number>>;
  /** The incident console of this run, its token in the fragment. */
  consoleUrl: string;
}

/** How the services are tuned for the demo: quick verification, quick ladder, quick pages. */
function serviceSettings(
  files: DemoFiles,
  supervisor: { url: string; token: string },
  alertmanager: RunningAlertmanager | null,
  webhook: WebhookSink,
  short: boolean,
): Record<string, string> {
  return {
    DETECTOR_CONFIG: files.detectorConfig,
    POLICIES_DIR: files.policiesDir,
    COMPONENTS_FILE: files.componentsFile,
    MAX_ATTEMPTS: '3',
    // The flapping scenario has one cure to flap (its leak persists until a restart), so the
    // demo suppresses at the first flap; the defaults wait for three.
    FLAP_SUPPRESS_AT: '1',
    FLAP_REUSE_BELOW: '0.5',
    COMMAND_TIMEOUT_MS: '60000',
    FLEET_SUPERVISOR_URL: supervisor.url,
    FLEET_SUPERVISOR_TOKEN: supervisor.token,
    ACTION_TIMEOUT_MS: '30000',
    ACTION_MAX_ATTEMPTS: '2',
    VERIFY_WINDOW_MS: short ? '8000' : '10000',
    VERIFY_INTERVAL_MS: '500',
    VERIFY_HEALTHY_CHECKS: '3',
    DRAIN_TIMEOUT_MS: '5000',
    ESCALATOR_WEBHOOK_URL: webhook.url,
    ESCALATOR_COMPONENTS_FILE: files.componentsFile,
    ...(alertmanager ? { ESCALATOR_ALERTMANAGER_URL: alertmanager.url } : {}),
  };
}

async function readyz(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
    async (r) => (await r.body?.cancel(), r.ok),
    () => false,
  );
}

/**
 * Brings up everything a run needs, each piece registered with `teardown` as soon as it runs:
 * topics under a fresh prefix, a private Alertmanager (or only the webhook sink when it is not
 * installed), the fleet and its supervisor, the five services and the console as child
 * processes, the timeline consumer and the metrics agent scraping every member each second.
 */
export async function startStack(options: StackOptions, teardown: Teardown): Promise<DemoStack> {
  const { say, signal } = options;
  const logger = createLogger('demo', 'error');
  const kafka: Kafka = createKafka({
    config: options.connection,
    clientId: 'healstream-demo',
    logger,
  });
  const registryClient = createRegistryClient(options.connection);
  const serde = new Serde(registryClient);
  const prefix = runPrefix();

  const specs = await createRunTopics(kafka, prefix, options.partitions);
  teardown.add('delete the run’s topics', () =>
    removeRunTopics(kafka, registryClient, prefix, specs),
  );
  say(`topics created under ${prefix} (${options.partitions} partitions)`);

  const dir = await mkdtemp(join(tmpdir(), 'healstream-demo-'));
  teardown.add('remove the run’s files', () => rm(dir, { recursive: true, force: true }));
  const files = await writeDemoFiles(options.repoRoot, dir);

  const alertmanager = await startAlertmanager(join(dir, 'alertmanager'), process.env);
  if (alertmanager) {
    teardown.add('stop Alertmanager', () => alertmanager.stop());
    say(`Alertmanager on ${alertmanager.url}`);
  } else {
    say(
      'Alertmanager is not installed (apt-get install prometheus-alertmanager, or set ALERTMANAGER_BIN): pages go to the local webhook sink only',
    );
  }
  const webhook = await startWebhookSink();
  teardown.add('close the webhook sink', () => webhook.close());

  const supervisor = new Supervisor({
    specs: memberSpecs(loadComponents(files.componentsFile)),
    memberCommand: compiledMemberCommand(options.repoRoot),
    stopGraceMs: 3000,
  });
  teardown.add('stop the fleet', () => supervisor.stopAll(3000));
  await supervisor.startAll();
  const control = await startControlServer(supervisor, { port: await freePort() });
  teardown.add('close the supervisor’s control API', () => control.close());
  say(
    `fleet running: ${[...files.ports].map(([id, port]) => `${id} on :${port}`).join(', ')}; supervisor ${control.url}`,
  );

  const settings = serviceSettings(files, control, alertmanager, webhook, options.short);
  const serviceLogs = new Map<string, string[]>();
  const services: ServiceProcess[] = [];
  const ports = new Map<string, number>();
  teardown.add('stop the services', () => stopServices(services, 10_000));
  // The console reads the same topics; its token is made for this run and shown in its URL.
  const consoleToken = randomBytes(16).toString('hex');
  const consolePort = Number(process.env['HEALSTREAM_CONSOLE_PORT'] ?? (await freePort()));
  const consoleSettings = {
    HEALSTREAM_CONSOLE_TOKEN: consoleToken,
    HEALSTREAM_CONSOLE_PORT: String(consolePort),
    HEALSTREAM_CONSOLE_STORE: join(dir, 'console', 'incidents.db'),
    HEALSTREAM_COMPONENTS_FILE: files.componentsFile,
  };
  for (const name of [...SERVICES, 'console']) {
    const port = await freePort();
    ports.set(name, port);
    const lines: string[] = [];
    serviceLogs.set(name, lines);
    const env = {
      ...process.env,
      KAFKA_BROKERS: options.connection.KAFKA_BROKERS.join(','),
      SCHEMA_REGISTRY_URL: options.connection.SCHEMA_REGISTRY_URL,
      HEALSTREAM_TOPIC_PREFIX: prefix,
      HEALSTREAM_PARTITIONS: String(options.partitions),
      HEALSTREAM_INSTANCE_ID: `${name}-demo`,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'info',
      ...settings,
      ...(name === 'console' ? consoleSettings : {}),
    };
    services.push(
      spawnService(options.repoRoot, name, env, (line) => {
        lines.push(line);
        if (lines.length > 40) lines.shift();
        options.onServiceLine?.(formatLogLine(name, line));
      }),
    );
  }
  const ready = await waitFor(
    async () => {
      const dead = services.find((s) => s.child.exitCode !== null);
      if (dead)
        throw new Error(
          `${dead.name} exited with code ${dead.child.exitCode}:\n${(serviceLogs.get(dead.name) ?? []).slice(-10).join('\n')}`,
        );
      const states = await Promise.all([...ports.values()].map(readyz));
      return states.every(Boolean) ? true : undefined;
    },
    180_000,
    signal,
  );
  if (!ready) throw new Error('the services were not ready within 180 s');
  say(`services ready: ${SERVICES.join(', ')}, console`);
  const consoleUrl = `http://127.0.0.1:${consolePort}/#token=${consoleToken}`;
  say(`incident console: ${consoleUrl}`);

  const journal = new Journal();
  const timeline = await startTimeline({
    kafka,
    serde,
    prefix,
    journal,
    onEntry: options.onEntry,
    onError: say,
  });
  teardown.add('stop the timeline consumer', () => timeline.stop());

  const producer = kafka.producer({ createPartitioner: partitioner });
  await producer.connect();
  teardown.add('disconnect the agent’s producer', () => producer.disconnect());
  const metricsTopic = topicsFor(prefix).metrics.topic;
  const latest = new Map<string, Map<string, number>>();
  await serde.registerTopic(metricsTopic, 'MetricSample');
  const agent = new MetricsAgent({
    targets: [...files.ports].map(([component, port]) => ({
      component,
      url: `http://127.0.0.1:${port}/metrics`,
    })),
    intervalMs: 1000,
    timeoutMs: 800,
    topic: metricsTopic,
    producer,
    serde,
    logger,
    onSamples: (samples) => {
      for (const s of samples) {
        const metrics = latest.get(s.component) ?? new Map<string, number>();
        metrics.set(s.metric, s.value);
        latest.set(s.component, metrics);
      }
    },
  });
  agent.start();
  teardown.add('stop the metrics agent', () => agent.stop());
  say('metrics agent scraping every member each second');

  return {
    prefix,
    files,
    fleet: new SupervisorClient(control.url, control.token),
    journal,
    alertmanager,
    webhook,
    serviceLogs,
    services,
    latest,
    consoleUrl,
  };
}
