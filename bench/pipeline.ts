/**
 * The pipeline's throughput and latency on this machine, with the raw kafkajs consumer of the
 * same topic as the baseline, so the figures read as ratios:
 *
 *   bash scripts/toolchain.sh pnpm bench [--preload 200000] [--rate 400] [--incidents 40] [--repeat 3]
 *
 * 1. throughput: `preload` healthy samples are written to a fresh metrics topic (12 partitions);
 *    a plain kafkajs consumer group reads them all with eachMessage (baseline, first record to last), then the detector consumes them
 *    (decode, detect, changelog, transaction). Median of `repeat` runs, each on fresh topics.
 * 2. latency: samples flow at `rate` per second while, once a second, a fresh component turns
 *    anomalous; metric → command is the wall time from publishing the anomalous sample to
 *    reading its HealingCommand (through detector, diagnoser and policy-evaluator); metric →
 *    outcome adds the action-executor: a signed webhook to a local runbook that answers at once,
 *    and a health check that passes at once (verification needs 1 healthy check here).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import {
  RegistryClient,
  Serde,
  topicCatalogue,
  type HealingCommand,
  type MetricSample,
} from '@healstream/contracts';
import { resolveDecisionConfig, resolveDetectorConfig, type Policy } from '@healstream/core';
import { infraSettings, up } from '@healstream/infra';
import {
  baseEnvSchema,
  createLogger,
  createRegistry,
  createTopics,
  loadConfig,
  loopMetrics,
  quietKafkajsTimerWarnings,
  runService,
  type RunningService,
} from '@healstream/runtime';
import { detectorService } from '@healstream/detector';
import { diagnoserService } from '@healstream/diagnoser';
import { evaluatorService } from '@healstream/policy-evaluator';
import { loadPolicyDir, parseComponents } from '@healstream/core';
import {
  actionExecutorService,
  createExecutors,
  DEFAULT_SETTINGS,
  executorMetrics,
  webhookSecrets,
} from '@healstream/action-executor';
import { createServer } from 'node:http';
import type { HealingOutcome } from '@healstream/contracts';

const { values } = parseArgs({
  options: {
    preload: { type: 'string', default: '200000' },
    rate: { type: 'string', default: '400' },
    incidents: { type: 'string', default: '40' },
    repeat: { type: 'string', default: '3' },
    components: { type: 'string', default: '200' },
  },
});
const PRELOAD = Number(values.preload);
const RATE = Number(values.rate);
const INCIDENTS = Number(values.incidents);
const REPEAT = Number(values.repeat);
const COMPONENTS = Number(values.components);
const PARTITIONS = 12;

quietKafkajsTimerWarnings();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[
    Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))
  ] as number;

async function connection() {
  if (process.env['KAFKA_BROKERS'] && process.env['SCHEMA_REGISTRY_URL'])
    return { brokers: process.env['KAFKA_BROKERS'], registry: process.env['SCHEMA_REGISTRY_URL'] };
  const report = await up(infraSettings());
  return { brokers: report.brokers, registry: report.registryUrl };
}

const conn = await connection();
const kafka = new Kafka({
  clientId: 'bench',
  brokers: conn.brokers.split(','),
  logLevel: logLevel.NOTHING,
});
const silent = createLogger('bench', 'silent');

async function freshPipeline() {
  const prefix = `bench.${randomBytes(3).toString('hex')}.`;
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, topicCatalogue(prefix, PARTITIONS));
  await admin.disconnect();
  const config = loadConfig(baseEnvSchema, {
    KAFKA_BROKERS: conn.brokers,
    SCHEMA_REGISTRY_URL: conn.registry,
    HEALSTREAM_TOPIC_PREFIX: prefix,
    HEALSTREAM_PARTITIONS: String(PARTITIONS),
  });
  const serde = new Serde(new RegistryClient(conn.registry));
  await serde.registerTopic(`${prefix}metrics`, 'MetricSample');
  return { prefix, config, serde };
}

function healthy(i: number, at: number): MetricSample {
  const c = i % COMPONENTS;
  return {
    component: `bench-${c}`,
    metric: i % 2 === 0 ? 'latency_p99' : 'error_rate',
    value: i % 2 === 0 ? 100 + (i % 13) : 0.01,
    timestamp: at,
    labels: {},
  };
}

async function preload(prefix: string, serde: Serde) {
  const producer = kafka.producer();
  await producer.connect();
  const t0 = Date.now() - PRELOAD;
  for (let i = 0; i < PRELOAD; i += 2000) {
    const messages = [];
    for (let j = i; j < Math.min(PRELOAD, i + 2000); j++) {
      const s = healthy(j, t0 + j);
      messages.push({
        key: s.component,
        value: serde.encode(`${prefix}metrics`, s),
        timestamp: String(s.timestamp),
      });
    }
    await producer.send({ topic: `${prefix}metrics`, messages });
  }
  await producer.disconnect();
}

async function rawConsumeRate(topic: string): Promise<number> {
  const consumer = kafka.consumer({
    groupId: `bench-raw-${randomBytes(3).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let first = 0;
  await new Promise<void>((resolve) => {
    // eachMessage: the ordinary way to consume with kafkajs, one callback per record.
    void consumer.run({
      eachMessage: async () => {
        if (first === 0) first = Date.now();
        if (++count === PRELOAD) resolve();
      },
    });
  });
  const seconds = (Date.now() - first) / 1000;
  await consumer.disconnect();
  return PRELOAD / seconds;
}

async function detectorRate(
  config: ReturnType<typeof loadConfig<typeof baseEnvSchema>>,
): Promise<{ rate: number; running: RunningService }> {
  const registry = createRegistry('detector', false);
  const running = await runService(
    detectorService({ config, detector: resolveDetectorConfig(), kafka, logger: silent }),
    { config, logger: silent, registry, kafka },
  );
  const metrics = loopMetrics(registry);
  const consumed = async () =>
    (await metrics.recordsIn.get()).values.reduce((n, v) => n + v.value, 0);
  let first = 0;
  for (;;) {
    const n = await consumed();
    if (n > 0 && first === 0) first = Date.now();
    if (n >= PRELOAD) break;
    await sleep(20);
  }
  return { rate: PRELOAD / ((Date.now() - first) / 1000), running };
}

const raw: number[] = [];
const detector: number[] = [];
let last:
  | {
      config: ReturnType<typeof loadConfig<typeof baseEnvSchema>>;
      serde: Serde;
      prefix: string;
      detector: RunningService;
    }
  | undefined;
for (let r = 0; r < REPEAT; r++) {
  const { prefix, config, serde } = await freshPipeline();
  await preload(prefix, serde);
  raw.push(await rawConsumeRate(`${prefix}metrics`));
  const d = await detectorRate(config);
  detector.push(d.rate);
  if (last) await last.detector.stop();
  last = { config, serde, prefix, detector: d.running };
  console.log(
    `run ${r + 1}: raw consumer ${Math.round(raw[r] as number)} records/s, detector ${Math.round(d.rate)} samples/s`,
  );
}

// Latency through detector → diagnoser → policy-evaluator, on the last pipeline.
const { config, serde, prefix } = last as NonNullable<typeof last>;
// The pipeline's own metric → command latency: the default policies without their for: hold
// (which would add 10 s by design to every figure here).
const policies: Policy[] = loadPolicyDir('policies').map((p) => ({ ...p, forMs: 0 }));
const others: RunningService[] = await Promise.all([
  runService(diagnoserService({ config, logger: silent }), {
    config,
    logger: silent,
    registry: createRegistry('diagnoser', false),
    kafka,
  }),
  runService(
    evaluatorService({
      config,
      decision: resolveDecisionConfig({ fleetPerMinute: 100_000, fleetPerHour: 1_000_000 }),
      policies,
      components: null,
      kafka,
      logger: silent,
    }),
    { config, logger: silent, registry: createRegistry('policy-evaluator', false), kafka },
  ),
]);
const injectedAt = new Map<string, number>();
// The executor's fleet: every incident component is healed through a local runbook endpoint.
const runbook = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200).end('{}'));
});
await new Promise<void>((resolve) => runbook.listen(0, '127.0.0.1', resolve));
const runbookUrl = `http://127.0.0.1:${(runbook.address() as { port: number }).port}`;
const componentsYaml = `components:\n${Array.from({ length: INCIDENTS }, (_, i) => `  bench-incident-${i}:\n    executor: http\n    target: ${runbookUrl}/runbook\n    allowed_actions: [restart-service, alert-oncall]\n    health_check: { url: "${runbookUrl}/healthz" }\n`).join('')}`;
const benchComponents = parseComponents(componentsYaml, 'bench-components.yaml');
const executorRegistry = createRegistry('action-executor', false);
const executor = actionExecutorService({
  config,
  settings: { ...DEFAULT_SETTINGS, verifyHealthyChecks: 1, verifyIntervalMs: 100 },
  components: benchComponents,
  executors: createExecutors({
    supervisorUrl: 'http://127.0.0.1:9',
    webhookSecrets: webhookSecrets(benchComponents, {}, 'bench-runbook-secret-0123'),
  }),
  kafka,
  logger: silent,
  metrics: executorMetrics(executorRegistry),
});
others.push(
  await runService(executor.definition, {
    config,
    logger: silent,
    registry: executorRegistry,
    kafka,
  }),
);
const outcomeLatencies: number[] = [];
const outcomeWatcher = kafka.consumer({
  groupId: `bench-watch-o-${randomBytes(3).toString('hex')}`,
  maxWaitTimeInMs: 20,
});
await outcomeWatcher.connect();
await outcomeWatcher.subscribe({ topic: `${prefix}healing-outcomes`, fromBeginning: true });
const commandSerde = new Serde(new RegistryClient(conn.registry));
await outcomeWatcher.run({
  eachMessage: async ({ message }) => {
    const outcome = await commandSerde.decode<HealingOutcome>(message.value, 'HealingOutcome');
    const t = injectedAt.get(outcome.component);
    if (t !== undefined && outcome.verification === 'RECOVERED')
      outcomeLatencies.push(Date.now() - t);
  },
});
const latencies: number[] = [];
const watcher = kafka.consumer({
  groupId: `bench-watch-${randomBytes(3).toString('hex')}`,
  maxWaitTimeInMs: 20,
});
await watcher.connect();
await watcher.subscribe({ topic: `${prefix}healing-commands`, fromBeginning: true });
await watcher.run({
  eachMessage: async ({ message }) => {
    const command = await commandSerde.decode<HealingCommand>(message.value, 'HealingCommand');
    const t = injectedAt.get(command.component);
    if (t !== undefined) latencies.push(Date.now() - t);
  },
});
await sleep(3000); // let every group settle before timing
const producer = kafka.producer();
await producer.connect();
const started = Date.now();
let sent = 0;
for (let tick = 0; tick < INCIDENTS * 10; tick++) {
  const now = Date.now();
  const batch: MetricSample[] = [];
  const due = Math.floor(((now - started) / 1000) * RATE) - sent;
  for (let i = 0; i < due; i++) batch.push(healthy(sent + i, now));
  sent += due;
  if (tick % 10 === 0) {
    const component = `bench-incident-${tick / 10}`;
    batch.push({ component, metric: 'latency_p99', value: 650, timestamp: now, labels: {} });
    injectedAt.set(component, now);
  }
  await producer.send({
    topic: `${prefix}metrics`,
    messages: batch.map((s) => ({
      key: s.component,
      value: serde.encode(`${prefix}metrics`, s),
      timestamp: String(s.timestamp),
    })),
  });
  await sleep(Math.max(0, started + (tick + 1) * 100 - Date.now()));
}
const deadline = Date.now() + 30_000;
while (
  (latencies.length < INCIDENTS || outcomeLatencies.length < INCIDENTS) &&
  Date.now() < deadline
)
  await sleep(100);
await producer.disconnect();
await watcher.disconnect();
await outcomeWatcher.disconnect();
runbook.close();
await Promise.all([last?.detector.stop(), ...others.map((o) => o.stop())]);

const report = {
  machine: `${(await import('node:os')).cpus().length} cores`,
  preload: PRELOAD,
  rawConsumerPerSecond: Math.round(median(raw)),
  detectorSamplesPerSecond: Math.round(median(detector)),
  detectorToRawRatio: Number((median(detector) / median(raw)).toFixed(3)),
  latencyPhase: {
    rate: RATE,
    achievedRate: Math.round(sent / ((Date.now() - started) / 1000)),
    incidents: INCIDENTS,
    commandsSeen: latencies.length,
  },
  metricToCommandMs: latencies.length
    ? {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: Math.max(...latencies),
      }
    : null,
  outcomesSeen: outcomeLatencies.length,
  metricToOutcomeMs: outcomeLatencies.length
    ? {
        p50: percentile(outcomeLatencies, 50),
        p99: percentile(outcomeLatencies, 99),
        max: Math.max(...outcomeLatencies),
      }
    : null,
};
console.log(JSON.stringify(report, null, 2));
process.exit(0);
