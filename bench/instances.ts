/**
 * Scaling out a stage: the detector's rate with one instance and with two on the same 12
 * partitions, each instance its own process as `healstream start` runs it:
 *
 *   bash scripts/toolchain.sh pnpm bench:instances [--preload 3000000] [--components 200]
 *     [--repeat 3] [--instances 1,2]
 *
 * Each run writes `preload` healthy samples to a fresh metrics topic (12 partitions), then starts
 * the instances together and reads the group's committed offsets every 50 ms. The rate is the samples
 * committed between 10 % and 90 % of the topic over the time that took: the steady state, without
 * start-up, restore and the last partition's tail. The window opens at 10 % or, if later, once
 * every instance holds partitions (the broker does not wait for a second member: the first one
 * to join reads every partition until the second arrives). The counts alternate (1, 2, 1, 2, ...); the
 * report gives each run, the median per count, and the ratio of the medians. The CPU each process
 * used and the machine's load while it ran say what the ratio is bounded by.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { AssignerProtocol } from 'kafkajs';
import { RegistryClient, Serde, topicCatalogue, type MetricSample } from '@healstream/contracts';
import { freePort, infraSettings } from '@healstream/infra';
import { createTopics, groupIdFor, quietKafkajsTimerWarnings } from '@healstream/runtime';
import { spawnService, stopServices } from '@healstream/cli';
import { benchInfra, busyShare, cpuSeconds, machineJiffies, preloadSamples } from './processes.js';

const { values } = parseArgs({
  options: {
    preload: { type: 'string', default: '3000000' },
    components: { type: 'string', default: '200' },
    repeat: { type: 'string', default: '3' },
    instances: { type: 'string', default: '1,2' },
  },
});
const PRELOAD = Number(values.preload);
const COMPONENTS = Number(values.components);
const REPEAT = Number(values.repeat);
const COUNTS = values.instances.split(',').map(Number);
if (COUNTS.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error(`--instances: positive whole numbers, comma-separated (got ${values.instances})`);
const PARTITIONS = 12;
quietKafkajsTimerWarnings();

const infra = await benchInfra('bench-instances');
const kafka = infra.kafka;
const admin = kafka.admin();
await admin.connect();
const serde = new Serde(new RegistryClient(infra.registryUrl));
const root = infraSettings().repoRoot;

const healthy = (i: number, at: number): MetricSample => ({
  component: `svc-${i % COMPONENTS}`,
  metric: i % 2 === 0 ? 'latency_p99' : 'error_rate',
  value: i % 2 === 0 ? 100 + (i % 17) : 0.01 + (i % 7) / 1000,
  timestamp: at,
  labels: {},
});

async function preload(topic: string): Promise<void> {
  await serde.registerTopic(topic, 'MetricSample');
  await preloadSamples(kafka, serde, topic, PRELOAD, healthy, 5000);
}

/** Records the group has committed on `topic` (control records included), summed over partitions. */
async function committed(groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

/** Partitions of `topic` each member of the group holds now, sorted. */
async function assignment(groupId: string, topic: string): Promise<number[]> {
  const { groups } = await admin.describeGroups([groupId]);
  return (groups[0]?.members ?? [])
    .map((m) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      return decoded?.assignment[topic]?.length ?? 0;
    })
    .sort((a, b) => a - b);
}

interface Run {
  instances: number;
  samplesPerSecond: number;
  /** Seconds from 10 % of the topic committed (or later, once every instance holds partitions) to 90 %. */
  seconds: number;
  /** CPU seconds per instance over that window, and the machine's 1-minute load after it. */
  cpuPerInstance: number[];
  /** Partitions of the metrics topic per instance at 10 % and at 90 % (a rebalance between shows). */
  partitionsAt10: number[];
  partitionsAt90: number[];
  /** The share of the machine's cores busy over that window (the broker, the bench, the rest too). */
  machineBusy: number;
  load1: number;
}

async function run(instances: number): Promise<Run> {
  const prefix = `bench.inst.${randomBytes(3).toString('hex')}.`;
  const catalogue = topicCatalogue(prefix, PARTITIONS);
  await createTopics(admin, catalogue);
  const topic = `${prefix}metrics`;
  await preload(topic);
  const end = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  const env = {
    ...process.env,
    KAFKA_BROKERS: infra.brokers,
    SCHEMA_REGISTRY_URL: infra.registryUrl,
    HEALSTREAM_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
  const services = [];
  for (let i = 0; i < instances; i++)
    services.push(
      spawnService(
        root,
        'detector',
        {
          ...env,
          HTTP_PORT: String(await freePort()),
          HEALSTREAM_INSTANCE_ID: `detector-bench-${i}`,
        },
        () => {},
      ),
    );
  const groupId = groupIdFor({ HEALSTREAM_TOPIC_PREFIX: prefix }, 'detector');
  const marks: { at: number; done: number }[] = [];
  const started = Date.now();
  let cpuAt10: number[] | undefined;
  let cpuAt90: number[] | undefined;
  let machineAt10: { busy: number; total: number } | undefined;
  let machineAt90: { busy: number; total: number } | undefined;
  let partitionsAt10: number[] = [];
  let opened: { at: number; done: number } | undefined;
  let partitionsAt90: number[] = [];
  try {
    while (Date.now() - started < 300_000) {
      const done = await committed(groupId, topic).catch(() => 0);
      const at = Date.now();
      marks.push({ at, done });
      // The window opens at 10 %, once every instance holds partitions: not while the first to
      // join still reads them all.
      if (!cpuAt10 && done >= end * 0.1) {
        const held = await assignment(groupId, topic);
        if (held.length === instances && held.every((n) => n > 0)) {
          cpuAt10 = services.map((s) => cpuSeconds(s.child.pid));
          machineAt10 = machineJiffies();
          partitionsAt10 = held;
          opened = { at: Date.now(), done };
        }
      }
      if (!cpuAt90 && done >= end * 0.9) {
        cpuAt90 = services.map((s) => cpuSeconds(s.child.pid));
        machineAt90 = machineJiffies();
        partitionsAt90 = await assignment(groupId, topic);
        break;
      }
      const dead = services.find((s) => s.child.exitCode !== null);
      if (dead) throw new Error(`a detector exited with code ${dead.child.exitCode}`);
      await sleep(50);
    }
  } finally {
    await stopServices(services);
    await admin.deleteTopics({ topics: catalogue.map((t) => t.name) }).catch(() => {});
  }
  const first = opened;
  const last = marks.find((m) => m.done >= end * 0.9);
  if (!last || !cpuAt90 || !machineAt90)
    throw new Error(`the detectors did not commit 90 % of ${end} records within 300 s`);
  if (!first || !cpuAt10 || !machineAt10)
    throw new Error(
      `${instances} instances held partitions together only after 90 % of ${end} records were committed: too few to measure; give a larger --preload`,
    );
  const seconds = (last.at - first.at) / 1000;
  return {
    instances,
    samplesPerSecond: Math.round((last.done - first.done) / seconds),
    seconds,
    cpuPerInstance: cpuAt90.map((c, i) => Math.round((c - (cpuAt10?.[i] ?? 0)) * 100) / 100),
    partitionsAt10,
    partitionsAt90,
    machineBusy: Math.round(busyShare(machineAt10, machineAt90) * 1000) / 1000,
    load1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

const runs: Run[] = [];
for (let r = 0; r < REPEAT; r++)
  for (const n of COUNTS) {
    const result = await run(n);
    runs.push(result);
    console.error(
      `run ${r + 1}, ${n} instance(s): ${result.samplesPerSecond} samples/s over ${result.seconds} s; CPU s per instance ${result.cpuPerInstance.join(', ')}; partitions ${result.partitionsAt10.join('/')} → ${result.partitionsAt90.join('/')}; machine ${Math.round(result.machineBusy * 100)} % busy`,
    );
  }
await admin.disconnect();

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;
const byCount = Object.fromEntries(
  COUNTS.map((n) => [
    n,
    median(runs.filter((r) => r.instances === n).map((r) => r.samplesPerSecond)),
  ]),
);
const base = byCount[COUNTS[0] as number] ?? 0;
console.log(
  JSON.stringify(
    {
      preload: PRELOAD,
      components: COMPONENTS,
      partitions: PARTITIONS,
      cores: cpus().length,
      medianSamplesPerSecond: byCount,
      ratioToFirst: Object.fromEntries(
        COUNTS.map((n) => [n, base ? Math.round(((byCount[n] ?? 0) / base) * 1000) / 1000 : null]),
      ),
      runs,
    },
    null,
    2,
  ),
);
process.exit(0);
