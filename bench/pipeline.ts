/**
 * The pipeline's throughput and latency on this machine, with the raw kafkajs consumer of the
 * same topic as the baseline, so the figures read as ratios:
 *
 *   bash scripts/toolchain.sh pnpm bench [--preload 200000] [--repeat 3] [--components 200]
 *     [--rate 1000] [--latency-components 2000] [--incidents 40] [--incidents-per-second 1]
 *     [--latency-repeat 3]
 *     [--env NAME=VALUE,...] [--profile DIR] [--heap-profile DIR] [--goals all|none|LIST]
 *     [--stages in-process|processes]
 *
 * 1. throughput: `preload` healthy samples over `components` components are written to a fresh
 *    metrics topic (12 partitions); a plain kafkajs consumer group reads them all with
 *    eachMessage (baseline, first record to last), then the detector consumes them (decode,
 *    detect, changelog, transaction; from the first record it handles to the last committed).
 *    Median of `repeat` runs, each on fresh topics; `--repeat 0`
 *    skips this phase. Each run also reports the CPU of both windows: the cores this process
 *    used (`rawProcessCores`, `processCores`) and the local broker's process
 *    (`rawBrokerCores`, `brokerCores`), which shares the machine's cores with the stage.
 * 2. latency (bench/pipeline-latency.ts): `rate` samples per second over `latency-components`
 *    components, `incidents-per-second` fresh components turning anomalous a second, `incidents`
 *    of them (after three not counted); metric → command and metric → verified outcome. The
 *    first run uses the last throughput pipeline, every further run (`latency-repeat`) fresh
 *    topics. The report's p99s are over every measured incident of every run (3 × 40 by
 *    default, so a p99 is not one run's slowest incident), with each run's own p50 / p99 / max
 *    and the median of the runs' p99s beside them. `--incidents-per-second 5` is an incident
 *    storm: five components a second going through every stage and the executor's webhook.
 *    The stages run in this process by default; `--stages processes` runs the four (detector,
 *    diagnoser, policy-evaluator, action-executor) each as its own process from dist/ with the
 *    services' node flags, as `healstream start` does, on fresh topics every run.
 *
 * 3. the other targets (bench/goals.ts): decide per second, resident memory per service, the
 *    per-sample cost from 100 to 10,000 components and the client comparison, each by its own
 *    bench in its own process after the two phases above; the report's `targets` gives each
 *    target with this run's figure and whether it is met, `benches` each bench's own report.
 *    `--goals none` skips them, `--goals decisions,scale` runs those alone.
 *
 * `--env` sets service variables (the runtime's fetch and transaction settings, say) for every
 * service of the run, so settings are compared by alternating runs in one go.
 *
 * `--profile DIR` writes a V8 CPU profile of each throughput run's two timed windows alone
 * (`raw-<run>.cpuprofile`, `detector-<run>.cpuprofile`), without the preload's producer or the
 * latency phase; `node scripts/profile-top.ts` reads them. `--heap-profile DIR` writes, for the
 * same windows, V8's sampling allocation profile (`*.heapprofile`, every sampled allocation
 * whether it lived or not, with the window's sample count to read it per sample);
 * `node scripts/profile-top.ts` reads them too.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { Kafka, logLevel } from 'kafkajs';
import { RegistryClient, Serde, topicCatalogue, type MetricSample } from '@healstream/contracts';
import { resolveDetectorConfig } from '@healstream/core';
import { infraSettings, status, up } from '@healstream/infra';
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
import { parseGoals, runBench, targets, type BenchResult, type GoalBench } from './goals.js';
import { latencyTail, measureLatency, spread, type LatencyReport } from './pipeline-latency.js';
import { busyShare, cpuSeconds, machineJiffies, preloadSamples } from './processes.js';

const { values } = parseArgs({
  options: {
    preload: { type: 'string', default: '200000' },
    rate: { type: 'string', default: '1000' },
    incidents: { type: 'string', default: '40' },
    'incidents-per-second': { type: 'string', default: '1' },
    repeat: { type: 'string', default: '3' },
    components: { type: 'string', default: '200' },
    'latency-components': { type: 'string', default: '2000' },
    'latency-repeat': { type: 'string', default: '3' },
    env: { type: 'string', default: '' },
    profile: { type: 'string' },
    'heap-profile': { type: 'string' },
    goals: { type: 'string', default: 'all' },
    stages: { type: 'string', default: 'in-process' },
  },
});
const GOALS = parseGoals(values.goals);
if (values.stages !== 'in-process' && values.stages !== 'processes')
  throw new Error(`--stages ${values.stages}: expected in-process or processes`);
const STAGES = values.stages;
const PROFILE_DIR = values.profile;
const HEAP_PROFILE_DIR = values['heap-profile'];
const PRELOAD = Number(values.preload);
const RATE = Number(values.rate);
const INCIDENTS = Number(values.incidents);
const INCIDENTS_PER_SECOND = Number(values['incidents-per-second']);
const REPEAT = Number(values.repeat);
const COMPONENTS = Number(values.components);
const LATENCY_COMPONENTS = Number(values['latency-components']);
const LATENCY_REPEAT = Number(values['latency-repeat']);
const ENV: Record<string, string> = Object.fromEntries(
  values.env
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--env takes NAME=VALUE pairs, got '${pair}'`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
);
const PARTITIONS = 12;

quietKafkajsTimerWarnings();
/**
 * A CPU profile of this process from `start()` to the returned function's call, into PROFILE_DIR,
 * and a sampling allocation profile into HEAP_PROFILE_DIR (each only when asked for).
 */
async function profileWindow(): Promise<(name: string) => Promise<void>> {
  if (!PROFILE_DIR && !HEAP_PROFILE_DIR) return async () => {};
  const session = new Session();
  session.connect();
  if (PROFILE_DIR) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  if (HEAP_PROFILE_DIR) {
    mkdirSync(HEAP_PROFILE_DIR, { recursive: true });
    await session.post('HeapProfiler.enable');
    // Every sampled allocation counts, collected or not: what the collector has to get through.
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 16 * 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  return async (name) => {
    if (PROFILE_DIR) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    }
    if (HEAP_PROFILE_DIR) {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(
        join(HEAP_PROFILE_DIR, `${name}.heapprofile`),
        JSON.stringify({ ...profile, samplesInWindow: PRELOAD }),
      );
    }
    session.disconnect();
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function connection() {
  if (process.env['KAFKA_BROKERS'] && process.env['SCHEMA_REGISTRY_URL'])
    return { brokers: process.env['KAFKA_BROKERS'], registry: process.env['SCHEMA_REGISTRY_URL'] };
  const report = await up(infraSettings());
  return { brokers: report.brokers, registry: report.registryUrl };
}

const conn = await connection();
/**
 * The local brokers' processes, whose CPU each timed window reports: on a machine the broker
 * shares, what it burns is what the stage under test cannot have. None for an external broker.
 */
const brokerPids = process.env['KAFKA_BROKERS']
  ? []
  : (await status(infraSettings()))
      .filter((c) => c.name.startsWith('kafka') && c.pid !== undefined)
      .map((c) => c.pid as number);
const brokerSeconds = () => brokerPids.reduce((s, pid) => s + cpuSeconds(pid), 0);
/** The cores a process.cpuUsage() difference kept busy over `ms`, to two decimals. */
const coresOver = (used: NodeJS.CpuUsage, ms: number) =>
  Number(((used.user + used.system) / 1000 / ms).toFixed(2));
const kafka = new Kafka({
  clientId: 'bench',
  brokers: conn.brokers.split(','),
  logLevel: logLevel.NOTHING,
});
const silent = createLogger('bench', 'silent');

/** The prefixes of the pipelines this run made: their topics are deleted at the end. */
const prefixes: string[] = [];

async function freshPipeline() {
  const prefix = `bench.${randomBytes(3).toString('hex')}.`;
  prefixes.push(prefix);
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, topicCatalogue(prefix, PARTITIONS));
  await admin.disconnect();
  const config = loadConfig(baseEnvSchema, {
    KAFKA_BROKERS: conn.brokers,
    SCHEMA_REGISTRY_URL: conn.registry,
    HEALSTREAM_TOPIC_PREFIX: prefix,
    HEALSTREAM_PARTITIONS: String(PARTITIONS),
    ...ENV,
  });
  const serde = new Serde(new RegistryClient(conn.registry));
  await serde.registerTopic(`${prefix}metrics`, 'MetricSample');
  return { prefix, config, serde };
}

function healthy(i: number, at: number, components = COMPONENTS): MetricSample {
  const c = i % components;
  return {
    component: `bench-${c}`,
    metric: i % 2 === 0 ? 'latency_p99' : 'error_rate',
    value: i % 2 === 0 ? 100 + (i % 13) : 0.01,
    timestamp: at,
    labels: {},
  };
}

async function preload(prefix: string, serde: Serde) {
  await preloadSamples(kafka, serde, `${prefix}metrics`, PRELOAD, (i, at) => healthy(i, at), 2000);
}

async function rawConsumeRate(
  topic: string,
  run: number,
): Promise<{ rate: number; brokerCores: number; processCores: number }> {
  const consumer = kafka.consumer({
    groupId: `bench-raw-${randomBytes(3).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const profiled = await profileWindow();
  let count = 0;
  let first = 0;
  let broker = 0;
  let cpu = process.cpuUsage();
  await new Promise<void>((resolve) => {
    // eachMessage: the ordinary way to consume with kafkajs, one callback per record.
    void consumer.run({
      eachMessage: async () => {
        if (first === 0) {
          first = Date.now();
          broker = brokerSeconds();
          cpu = process.cpuUsage();
        }
        if (++count === PRELOAD) resolve();
      },
    });
  });
  const seconds = (Date.now() - first) / 1000;
  const brokerCores = (brokerSeconds() - broker) / seconds;
  const used = process.cpuUsage(cpu);
  await profiled(`raw-${run}`);
  await consumer.disconnect();
  return {
    rate: PRELOAD / seconds,
    brokerCores: Number(brokerCores.toFixed(2)),
    processCores: coresOver(used, seconds * 1000),
  };
}

/**
 * The detector in this process, on the pipeline of `config`, with a registry of its own.
 * `firstRecord()` is when its handler first got a record (0 before).
 */
async function startDetector(config: ReturnType<typeof loadConfig<typeof baseEnvSchema>>) {
  const registry = createRegistry('detector', false);
  const definition = detectorService({
    config,
    detector: resolveDetectorConfig(),
    kafka,
    logger: silent,
  });
  let firstRecord = 0;
  const open = definition.open;
  const watched: typeof definition = {
    ...definition,
    async open(partition, write, context) {
      const handler = await open(partition, write, context);
      const handle = handler.handle;
      handler.handle = (record, emit) => {
        if (firstRecord === 0) firstRecord = Date.now();
        return handle.call(handler, record, emit);
      };
      return handler;
    },
  };
  const running = await runService(watched, { config, logger: silent, registry, kafka });
  return { running, registry, firstRecord: () => firstRecord };
}

/**
 * The detector's rate over the preloaded samples, and what the CPU did meanwhile: the cores this
 * process used (the detector, with the bench's idle watchers) and the share of the whole
 * machine that was busy (broker and everything else on it included).
 */
async function detectorRate(
  config: ReturnType<typeof loadConfig<typeof baseEnvSchema>>,
  run: number,
): Promise<{
  rate: number;
  running: RunningService;
  processCores: number;
  machineBusy: number;
  brokerCores: number;
  transactions: number;
  recordsOut: number;
}> {
  const profiled = await profileWindow();
  const { running, registry, firstRecord } = await startDetector(config);
  const metrics = loopMetrics(registry);
  const consumed = async () =>
    (await metrics.recordsIn.get()).values.reduce((n, v) => n + v.value, 0);
  let first = 0;
  let cpu = process.cpuUsage();
  let jiffies = machineJiffies();
  let broker = brokerSeconds();
  for (;;) {
    const n = await consumed();
    // Timed from the first record the detector handled, as the raw consumer is from its first
    // record: a transaction's records count only once it commits, so timing from the first
    // commit would leave the first transactions' work out (all of it, were every partition's
    // backlog one transaction).
    if (firstRecord() > 0 && first === 0) {
      first = firstRecord();
      cpu = process.cpuUsage();
      jiffies = machineJiffies();
      broker = brokerSeconds();
    }
    if (n >= PRELOAD) break;
    await sleep(20);
  }
  const ms = Date.now() - first;
  const used = process.cpuUsage(cpu);
  const after = machineJiffies();
  const brokerCores = (brokerSeconds() - broker) / (ms / 1000);
  await profiled(`detector-${run}`);
  const transactions = (await metrics.processingSeconds.get()).values
    .filter((v) => v.metricName?.endsWith('_count'))
    .reduce((n, v) => n + v.value, 0);
  const recordsOut = (await metrics.recordsOut.get()).values.reduce((n, v) => n + v.value, 0);
  return {
    rate: PRELOAD / (ms / 1000),
    running,
    transactions,
    recordsOut,
    processCores: coresOver(used, ms),
    machineBusy: Number(busyShare(jiffies, after).toFixed(2)),
    brokerCores: Number(brokerCores.toFixed(2)),
  };
}

const raw: number[] = [];
const detector: number[] = [];
const cpu: {
  processCores: number;
  machineBusy: number;
  brokerCores: number;
  rawProcessCores: number;
  rawBrokerCores: number;
  transactions: number;
  recordsOut: number;
}[] = [];
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
  const rawRun = await rawConsumeRate(`${prefix}metrics`, r + 1);
  raw.push(rawRun.rate);
  const d = await detectorRate(config, r + 1);
  detector.push(d.rate);
  cpu.push({
    processCores: d.processCores,
    machineBusy: d.machineBusy,
    brokerCores: d.brokerCores,
    rawProcessCores: rawRun.processCores,
    rawBrokerCores: rawRun.brokerCores,
    transactions: d.transactions,
    recordsOut: d.recordsOut,
  });
  if (last) await last.detector.stop();
  last = { config, serde, prefix, detector: d.running };
  console.log(
    `run ${r + 1}: raw consumer ${Math.round(raw[r] as number)} records/s, detector ${Math.round(d.rate)} samples/s`,
  );
}

// Latency through detector → diagnoser → policy-evaluator → action-executor: on the last
// pipeline of the throughput runs, then on fresh ones (no preload) with a detector of their own.
const latencyRuns: LatencyReport[] = [];
for (let r = 0; r < LATENCY_REPEAT; r++) {
  let run: Omit<NonNullable<typeof last>, 'detector'> | undefined = last;
  if (STAGES === 'processes') {
    // Every stage its own process on fresh topics: the throughput phase's detector stops.
    await last?.detector.stop();
    last = undefined;
    run = await freshPipeline();
  } else if (!last || r > 0) {
    const { prefix, config, serde } = await freshPipeline();
    const { running } = await startDetector(config);
    if (last) await last.detector.stop();
    last = { config, serde, prefix, detector: running };
    run = last;
  }
  const { config, serde, prefix } = run as NonNullable<typeof run>;
  const report = await measureLatency({
    kafka,
    registryUrl: conn.registry,
    config,
    serde,
    prefix,
    rate: RATE,
    incidents: INCIDENTS,
    incidentsPerSecond: INCIDENTS_PER_SECOND,
    healthy: (i, at) => healthy(i, at, LATENCY_COMPONENTS),
    stages: STAGES,
    env: ENV,
  });
  latencyRuns.push(report);
  console.log(
    `latency run ${r + 1}: metric → command p99 ${report.metricToCommandMs?.p99 ?? '-'} ms, metric → outcome p99 ${report.metricToOutcomeMs?.p99 ?? '-'} ms`,
  );
}
await last?.detector.stop();
// Each pipeline is some 15 topics of 12 partitions: left behind, a few dozen runs put tens of
// thousands of partitions on the local broker, which then runs out of file descriptors.
{
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
}

const runP99Median = (pick: (r: LatencyReport) => LatencyReport['metricToCommandMs']) => {
  const xs = latencyRuns.map(pick).filter((x) => x !== null);
  return xs.length ? median(xs.map((x) => x.p99)) : null;
};
const pooled = (pick: (r: LatencyReport) => number[]) => spread(latencyRuns.flatMap(pick));
const report = {
  machine: `${(await import('node:os')).cpus().length} cores`,
  preload: PRELOAD,
  components: COMPONENTS,
  settings: ENV,
  ...(raw.length
    ? {
        rawConsumerPerSecond: Math.round(median(raw)),
        detectorSamplesPerSecond: Math.round(median(detector)),
        detectorToRawRatio: Number((median(detector) / median(raw)).toFixed(3)),
        throughputRuns: raw.map((r, i) => ({
          raw: Math.round(r),
          detector: Math.round(detector[i] as number),
          ratio: Number(((detector[i] as number) / r).toFixed(3)),
          // While the detector ran: the cores its process used, the machine's busy share, the
          // cores the local broker used, the transactions it committed and the records they
          // wrote (changelog and events); rawProcessCores and rawBrokerCores: the cores of the
          // two processes while the raw consumer ran.
          ...cpu[i],
        })),
      }
    : {}),
  // Over every measured incident of every latency run; then the median of the runs' own p99s.
  metricToCommandP99Ms: pooled((r) => r.commandLatenciesMs)?.p99 ?? null,
  metricToOutcomeP99Ms: pooled((r) => r.outcomeLatenciesMs)?.p99 ?? null,
  metricToCommandP50Ms: pooled((r) => r.commandLatenciesMs)?.p50 ?? null,
  metricToOutcomeP50Ms: pooled((r) => r.outcomeLatenciesMs)?.p50 ?? null,
  latencyIncidentsMeasured: {
    command: latencyRuns.reduce((n, r) => n + r.commandsSeen, 0),
    outcome: latencyRuns.reduce((n, r) => n + r.outcomesSeen, 0),
  },
  metricToCommandRunP99MedianMs: runP99Median((r) => r.metricToCommandMs),
  metricToOutcomeRunP99MedianMs: runP99Median((r) => r.metricToOutcomeMs),
  // Which stage the slowest incidents' time to the command went to (pipeline-latency.ts).
  ...(latencyRuns.length ? { latencyTail: latencyTail(latencyRuns) } : {}),
  // Each run without its incidents' list (the figures above are made from them).
  latencyRuns: latencyRuns.map(
    ({
      commandLatenciesMs: _command,
      outcomeLatenciesMs: _outcome,
      eventLatenciesMs: _event,
      diagnosisLatenciesMs: _diagnosis,
      ...run
    }) => run,
  ),
};
// The other targets' benches, one at a time, each in its own process (bench/goals.ts).
const benches: Partial<Record<GoalBench, BenchResult>> = {};
for (const name of GOALS) {
  const result = await runBench(name);
  benches[name] = result;
  console.log(`bench ${name}: ${'error' in result ? result.error : 'done'} (${result.seconds} s)`);
}
console.log(
  JSON.stringify(
    {
      ...report,
      ...(GOALS.length ? { targets: targets(report, benches), benches } : {}),
    },
    null,
    2,
  ),
);
process.exit(0);
