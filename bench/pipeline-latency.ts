/**
 * The latency phase of `pnpm bench`: samples flow at `rate` per second over `components`
 * components while, `incidentsPerSecond` times a second, a fresh component turns anomalous.
 * metric → command is the wall time from publishing the anomalous sample to reading its
 * HealingCommand (through detector, diagnoser and policy-evaluator); metric → outcome adds the
 * action-executor: a signed webhook to a local runbook that answers at once, and a health check
 * that passes at once (verification needs 1 healthy check here). The first WARMUP incidents are
 * not counted: they meet every stage's code cold and its groups just joined.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Kafka } from 'kafkajs';
import {
  RegistryClient,
  Serde,
  type HealingCommand,
  type HealingOutcome,
  type MetricSample,
} from '@healstream/contracts';
import {
  loadPolicyDir,
  parseComponents,
  resolveDecisionConfig,
  type Policy,
} from '@healstream/core';
import {
  createLogger,
  createRegistry,
  runService,
  type BaseEnv,
  type RunningService,
} from '@healstream/runtime';
import { diagnoserService } from '@healstream/diagnoser';
import { evaluatorService } from '@healstream/policy-evaluator';
import {
  actionExecutorService,
  createExecutors,
  DEFAULT_SETTINGS,
  executorMetrics,
  webhookSecrets,
} from '@healstream/action-executor';
import { serviceEnv, spawnService, stopServices, whenReady } from '@healstream/cli';

export interface LatencyRun {
  kafka: Kafka;
  registryUrl: string;
  config: Readonly<BaseEnv>;
  serde: Serde;
  prefix: string;
  rate: number;
  incidents: number;
  /** Fresh anomalous components a second (1, 2, 5 or 10: one every so many 100 ms ticks). */
  incidentsPerSecond: number;
  /** The healthy sample number i (its component is i modulo the bench's components). */
  healthy: (i: number, at: number) => MetricSample;
  /**
   * Where the stages run: `in-process`, in this process beside the bench (the detector the
   * caller started, the others here); `processes`, each of the four its own process from dist/
   * with the services' node flags, as `healstream start` runs them (the caller starts none).
   */
  stages?: 'in-process' | 'processes';
  /** Variables for every stage process (the bench's --env), with `processes`. */
  env?: Record<string, string>;
}

export interface LatencyReport {
  rate: number;
  achievedRate: number;
  incidents: number;
  incidentsPerSecond: number;
  commandsSeen: number;
  outcomesSeen: number;
  metricToCommandMs: { p50: number; p99: number; max: number } | null;
  metricToOutcomeMs: { p50: number; p99: number; max: number } | null;
  /** Each measured incident's latency, in incident order (the report pools them over runs). */
  commandLatenciesMs: number[];
  outcomeLatenciesMs: number[];
  /**
   * Each measured incident's time from its anomalous sample to the detector's event and to the
   * diagnosis, in the same order as commandLatenciesMs (null where that record was not seen):
   * which stage an incident's latency went to, for the slowest ones (the report's tail).
   */
  eventLatenciesMs: (number | null)[];
  diagnosisLatenciesMs: (number | null)[];
  /** Median time from the anomalous sample to the first record of each stage's output. */
  stagesP50Ms: { event: number | null; diagnosis: number | null; command: number | null };
  /**
   * How late the bench process's event loop ran its callbacks while the samples flowed (every
   * stage of this phase shares that one loop): the part of a latency that is waiting for it.
   */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[
    Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))
  ] as number;

/** The latencies of the incidents after the warm-up. */
const measured = (latencies: Map<string, number>) =>
  measuredIncidents(latencies).map((incident) => latencies.get(incident) as number);

/** The components of the incidents after the warm-up that have a latency here, in order. */
const measuredIncidents = (latencies: Map<string, number>) =>
  [...latencies.keys()]
    .map((component) => [Number(component.slice('bench-incident-'.length)), component] as const)
    .filter(([incident]) => incident >= WARMUP)
    .sort(([a], [b]) => a - b)
    .map(([, component]) => component);

export const spread = (xs: number[]) =>
  xs.length ? { p50: percentile(xs, 50), p99: percentile(xs, 99), max: Math.max(...xs) } : null;

const silent = createLogger('bench', 'silent');
const WARMUP = 3;

/** The components file of a run's incidents, each healed through the runbook at `runbookUrl`. */
function incidentComponents(run: LatencyRun, runbookUrl: string, actions: string[]): string {
  const component = (i: number) =>
    `  bench-incident-${i}:\n    executor: http\n    target: ${runbookUrl}/runbook\n    allowed_actions: [${actions.join(', ')}]\n    health_check: { url: "${runbookUrl}/healthz" }\n`;
  return `components:\n${Array.from({ length: WARMUP + run.incidents }, (_, i) => component(i)).join('')}`;
}

/** The stages after the detector, on the run's topics; the executor heals through `runbookUrl`. */
async function downstream(run: LatencyRun, runbookUrl: string): Promise<RunningService[]> {
  const { config, kafka } = run;
  // The pipeline's own metric → command latency: the default policies without their for: hold
  // (which would add 10 s by design to every figure here).
  const policies: Policy[] = loadPolicyDir('policies').map((p) => ({ ...p, forMs: 0 }));
  const benchComponents = parseComponents(
    incidentComponents(run, runbookUrl, ['restart-service', 'alert-oncall']),
    'bench-components.yaml',
  );
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
  const deps = (name: string, registry = createRegistry(name, false)) => ({
    config,
    logger: silent,
    registry,
    kafka,
  });
  return Promise.all([
    runService(diagnoserService({ config, logger: silent }), deps('diagnoser')),
    runService(
      evaluatorService({
        config,
        decision: resolveDecisionConfig({ fleetPerMinute: 100_000, fleetPerHour: 1_000_000 }),
        policies,
        components: null,
        kafka,
        logger: silent,
      }),
      deps('policy-evaluator'),
    ),
    runService(executor.definition, deps('action-executor', executorRegistry)),
  ]);
}

/** The four stages, each its own process, configured as `downstream` configures them here. */
async function stageProcesses(
  run: LatencyRun,
  runbookUrl: string,
): Promise<{ stop(): Promise<void> }[]> {
  const dir = mkdtempSync(join(tmpdir(), 'healstream-latency-'));
  // The default policies without their for: holds, as in downstream().
  const policiesDir = join(dir, 'policies');
  mkdirSync(policiesDir);
  for (const file of readdirSync('policies').filter((f) => /\.ya?ml$/.test(f)))
    writeFileSync(
      join(policiesDir, file),
      readFileSync(join('policies', file), 'utf8').replace(/^\s*for:.*$/gm, ''),
    );
  const componentsFile = join(dir, 'components.yaml');
  // Every action allowed: the in-process evaluator validates none.
  writeFileSync(
    componentsFile,
    incidentComponents(run, runbookUrl, [
      'restart-service',
      'alert-oncall',
      'scale-up',
      'enable-circuit-breaker',
      'fallback-mode',
    ]),
  );
  const basePort = 19500 + Math.floor(Math.random() * 400);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: run.config.KAFKA_BROKERS.join(','),
    SCHEMA_REGISTRY_URL: run.registryUrl,
    HEALSTREAM_TOPIC_PREFIX: run.prefix,
    HEALSTREAM_PARTITIONS: String(run.config.HEALSTREAM_PARTITIONS),
    POLICIES_DIR: policiesDir,
    COMPONENTS_FILE: componentsFile,
    WEBHOOK_SECRET: 'bench-runbook-secret-0123',
    FLEET_PER_MINUTE: '100000',
    FLEET_PER_HOUR: '1000000',
    VERIFY_HEALTHY_CHECKS: '1',
    VERIFY_INTERVAL_MS: '100',
    LOG_LEVEL: 'warn',
    HEALSTREAM_HTTP_BASE_PORT: String(basePort),
    ...run.env,
  };
  const names = ['detector', 'diagnoser', 'policy-evaluator', 'action-executor'];
  const root = process.cwd();
  const logs = new Map<string, string[]>(names.map((n) => [n, []]));
  const services = names.map((name, i) =>
    spawnService(root, name, serviceEnv(env, name, i), (line) => {
      const kept = logs.get(name) as string[];
      kept.push(line);
      if (kept.length > 5) kept.shift();
    }),
  );
  // Ready when every stage's /readyz answers (its groups joined, its state restored).
  const deadline = Date.now() + 60_000;
  const ports = names.map((_, i) => basePort + i + 1);
  const exited = () => services.filter((s) => s.child.exitCode !== null);
  if (!(await whenReady(ports, () => Date.now() > deadline || exited().length > 0))) {
    const gone = exited();
    await stopServices(services);
    throw new Error(
      `bench: the stage processes did not all become ready within 60 s${gone.map((s) => `; ${s.name} exited ${s.child.exitCode}: ${(logs.get(s.name) ?? []).join(' | ')}`).join('')}`,
    );
  }
  return [{ stop: () => stopServices(services) }];
}

/**
 * Records in `into` the time from each incident's anomalous sample to the first record of
 * `topic` about its component that `keep` accepts (a later command for it, an escalation after
 * a failed action say, is not the figure).
 */
async function watch<T extends { component: string }>(
  run: LatencyRun,
  topic: string,
  record: 'ReliabilityEvent' | 'Diagnosis' | 'HealingCommand' | 'HealingOutcome',
  injectedAt: Map<string, number>,
  keep: (value: T) => boolean,
  into: Map<string, number>,
) {
  const serde = new Serde(new RegistryClient(run.registryUrl));
  const consumer = run.kafka.consumer({
    groupId: `bench-watch-${randomBytes(3).toString('hex')}`,
    maxWaitTimeInMs: 20,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const value = await serde.decode<T>(message.value, record);
      const t = injectedAt.get(value.component);
      if (t === undefined || into.has(value.component) || !keep(value)) return;
      into.set(value.component, Date.now() - t);
    },
  });
  return consumer;
}

/** The latency phase on a pipeline whose detector already runs; stops what it started. */
export async function measureLatency(run: LatencyRun): Promise<LatencyReport> {
  const { kafka, prefix, serde, rate, incidents, incidentsPerSecond } = run;
  if (![1, 2, 5, 10].includes(incidentsPerSecond))
    throw new Error(`incidents a second must be 1, 2, 5 or 10, got ${incidentsPerSecond}`);
  const ticksPerIncident = 10 / incidentsPerSecond;
  const runbook = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('{}'));
  });
  await new Promise<void>((resolve) => runbook.listen(0, '127.0.0.1', resolve));
  const runbookUrl = `http://127.0.0.1:${(runbook.address() as { port: number }).port}`;
  const others =
    run.stages === 'processes'
      ? await stageProcesses(run, runbookUrl)
      : await downstream(run, runbookUrl);
  const injectedAt = new Map<string, number>();
  const commands = new Map<string, number>();
  const outcomes = new Map<string, number>();
  const events = new Map<string, number>();
  const diagnoses = new Map<string, number>();
  const watchers = [
    await watch(
      run,
      `${prefix}reliability-events`,
      'ReliabilityEvent',
      injectedAt,
      () => true,
      events,
    ),
    await watch(run, `${prefix}diagnoses`, 'Diagnosis', injectedAt, () => true, diagnoses),
    await watch<HealingCommand>(
      run,
      `${prefix}healing-commands`,
      'HealingCommand',
      injectedAt,
      () => true,
      commands,
    ),
    await watch<HealingOutcome>(
      run,
      `${prefix}healing-outcomes`,
      'HealingOutcome',
      injectedAt,
      (o) => o.verification === 'RECOVERED',
      outcomes,
    ),
  ];
  await sleep(3000); // let every group settle before timing
  const producer = kafka.producer();
  await producer.connect();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const started = Date.now();
  let sent = 0;
  for (let tick = 0; tick < (WARMUP + incidents) * ticksPerIncident; tick++) {
    const now = Date.now();
    const batch: MetricSample[] = [];
    const due = Math.floor(((now - started) / 1000) * rate) - sent;
    for (let i = 0; i < due; i++) batch.push(run.healthy(sent + i, now));
    sent += due;
    if (tick % ticksPerIncident === 0) {
      const component = `bench-incident-${tick / ticksPerIncident}`;
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
  const achievedRate = Math.round(sent / ((Date.now() - started) / 1000));
  loopDelay.disable();
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  const deadline = Date.now() + 30_000;
  const total = WARMUP + incidents;
  while ((commands.size < total || outcomes.size < total) && Date.now() < deadline)
    await sleep(100);
  await producer.disconnect();
  for (const w of watchers) await w.disconnect();
  runbook.close();
  await Promise.all(others.map((o) => o.stop()));
  return {
    rate,
    achievedRate,
    incidents,
    incidentsPerSecond,
    commandsSeen: measured(commands).length,
    outcomesSeen: measured(outcomes).length,
    metricToCommandMs: spread(measured(commands)),
    metricToOutcomeMs: spread(measured(outcomes)),
    commandLatenciesMs: measured(commands),
    outcomeLatenciesMs: measured(outcomes),
    eventLatenciesMs: measuredIncidents(commands).map((c) => events.get(c) ?? null),
    diagnosisLatenciesMs: measuredIncidents(commands).map((c) => diagnoses.get(c) ?? null),
    stagesP50Ms: {
      event: spread(measured(events))?.p50 ?? null,
      diagnosis: spread(measured(diagnoses))?.p50 ?? null,
      command: spread(measured(commands))?.p50 ?? null,
    },
    eventLoopDelayMs: {
      p50: ms(loopDelay.percentile(50)),
      p99: ms(loopDelay.percentile(99)),
      max: ms(loopDelay.max),
    },
  };
}

/** One incident's time to each stage's first record, ms from its anomalous sample. */
interface IncidentStages {
  event: number;
  diagnosis: number;
  command: number;
}

/** The median time each stage added: the detector to its event, the diagnoser, the evaluator. */
function stageSplit(incidents: IncidentStages[]) {
  const mid = (xs: number[]) => (xs.length ? percentile(xs, 50) : null);
  return {
    incidents: incidents.length,
    detectorMs: mid(incidents.map((i) => i.event)),
    diagnoserMs: mid(incidents.map((i) => i.diagnosis - i.event)),
    evaluatorMs: mid(incidents.map((i) => i.command - i.diagnosis)),
  };
}

/**
 * Where the metric → command latency of the slowest tenth of the incidents (pooled over the
 * runs) went, stage by stage, beside the same split over all of them, and the five slowest
 * incidents' own times to the event, the diagnosis and the command: which stage the tail is.
 */
export function latencyTail(runs: readonly LatencyReport[]) {
  const incidents: IncidentStages[] = [];
  for (const r of runs)
    r.commandLatenciesMs.forEach((command, i) => {
      const event = r.eventLatenciesMs[i];
      const diagnosis = r.diagnosisLatenciesMs[i];
      if (typeof event === 'number' && typeof diagnosis === 'number')
        incidents.push({ event, diagnosis, command });
    });
  const slowest = [...incidents].sort((a, b) => b.command - a.command);
  return {
    all: stageSplit(incidents),
    slowestTenth: stageSplit(slowest.slice(0, Math.max(1, Math.ceil(incidents.length / 10)))),
    slowestFive: slowest.slice(0, 5).map((i) => [i.event, i.diagnosis, i.command]),
  };
}
