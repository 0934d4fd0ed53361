/**
 * Resident memory of each of the five services under load, each in its own process as
 * `healstream start` runs them:
 *
 *   bash scripts/toolchain.sh pnpm bench:memory [--rate 1000] [--seconds 60] [--components 200]
 *     [--runtime compiled|tsx] [--node-flags '--flag ...'] [--heap-snapshot DIR]
 *
 * Samples flow at `rate` per second over `components` components; every 2 s one of them turns
 * anomalous for 10 s, so every stage has work (commands go to a local runbook webhook). RSS is
 * read from /proc every second; the report gives the median and the maximum per service, and
 * where each service's memory is at the end (V8's heap spaces and the memory outside the heap,
 * from its own /metrics), and the CPU seconds each used while the samples flowed (what a V8
 * setting costs). `--runtime tsx` runs the sources through tsx instead of dist/ (the figures
 * before the build); `--node-flags=...` adds V8 or node options to every service
 * through NODE_OPTIONS (for comparing settings; the command line's SERVICE_NODE_FLAGS win over
 * the same option there, and V8 options NODE_OPTIONS refuses stop the services);
 * `--heap-snapshot DIR` has each service write a heap snapshot there at the
 * end (summarise with `node scripts/heap-summary.ts FILE`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { RegistryClient, Serde, topicCatalogue, type MetricSample } from '@healstream/contracts';
import { infraSettings, residentMiB } from '@healstream/infra';
import { createTopics, quietKafkajsTimerWarnings } from '@healstream/runtime';
import {
  SERVICE_RUNTIMES,
  SERVICES,
  serviceEnv,
  spawnService,
  stopServices,
  type ServiceRuntime,
} from '@healstream/cli';
import { benchInfra, cpuSeconds } from './processes.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    components: { type: 'string', default: '200' },
    runtime: { type: 'string', default: 'compiled' },
    'node-flags': { type: 'string', default: '' },
    'heap-snapshot': { type: 'string' },
  },
});
const RUNTIME = values.runtime as ServiceRuntime;
if (!SERVICE_RUNTIMES.includes(RUNTIME))
  throw new Error(`--runtime must be one of ${SERVICE_RUNTIMES.join(', ')}`);
const SNAPSHOTS = values['heap-snapshot'];
const NODE_OPTIONS = [
  values['node-flags'],
  ...(SNAPSHOTS ? [`--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${SNAPSHOTS}`] : []),
]
  .filter(Boolean)
  .join(' ');
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const COMPONENTS = Number(values.components);
quietKafkajsTimerWarnings();

/**
 * Where a service's memory is, from its own /metrics: V8's heap by space (used of size) and the
 * memory V8 counts outside it (Buffers, ArrayBuffers), in MiB.
 */
async function memoryBreakdown(port: number): Promise<Record<string, number | string>> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  const mib = (bytes: number) => Math.round(bytes / 104857.6) / 10;
  const value = (metric: string, space?: string) => {
    const line = text
      .split('\n')
      .find((l) => l.startsWith(metric) && (!space || l.includes(`space="${space}"`)));
    return Number(line?.split(' ').pop() ?? 0);
  };
  const spaces = [...text.matchAll(/heap_space_size_total_bytes\{space="([^"]+)"/g)].map(
    (m) => m[1] as string,
  );
  return {
    rss: mib(value('healstream_process_process_resident_memory_bytes')),
    heapTotal: mib(value('healstream_process_nodejs_heap_size_total_bytes')),
    heapUsed: mib(value('healstream_process_nodejs_heap_size_used_bytes')),
    external: mib(value('healstream_process_nodejs_external_memory_bytes')),
    ...Object.fromEntries(
      spaces.map((space) => [
        space,
        `${mib(value('healstream_process_nodejs_heap_space_size_used_bytes', space))} of ${mib(value('healstream_process_nodejs_heap_space_size_total_bytes', space))}`,
      ]),
    ),
  };
}

/**
 * The resident memory the kernel counts for a process, split: anonymous (the heaps, malloc,
 * stacks) and file-backed (mostly node's own executable code, mapped), in MiB.
 */
function residentSplit(pid: number): { rssAnon: number; rssFile: number } {
  const status = (() => {
    try {
      return readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      return '';
    }
  })();
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return {
    rssAnon: Math.round(kib('RssAnon') / 102.4) / 10,
    rssFile: Math.round(kib('RssFile') / 102.4) / 10,
  };
}

const infra = await benchInfra('bench-memory');
const prefix = `bench.mem.${randomBytes(3).toString('hex')}.`;
const kafka = infra.kafka;
const admin = kafka.admin();
await admin.connect();
await createTopics(admin, topicCatalogue(prefix, 12));

const runbook = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200).end('{}'));
});
await new Promise<void>((resolve) => runbook.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(runbook.address() as { port: number }).port}`;
const names = Array.from({ length: COMPONENTS }, (_, i) => `mem-${i}`);
const componentsFile = join(mkdtempSync(join(tmpdir(), 'healstream-mem-')), 'components.yaml');
writeFileSync(
  componentsFile,
  `components:\n${names.map((n) => `  ${n}:\n    executor: http\n    target: ${url}/runbook\n    allowed_actions: [restart-service, alert-oncall, scale-up, enable-circuit-breaker, fallback-mode]\n    health_check: { url: "${url}/healthz" }\n`).join('')}`,
);

const env = {
  ...process.env,
  KAFKA_BROKERS: infra.brokers,
  SCHEMA_REGISTRY_URL: infra.registryUrl,
  HEALSTREAM_TOPIC_PREFIX: prefix,
  COMPONENTS_FILE: componentsFile,
  WEBHOOK_SECRET: 'bench-memory-webhook-secret',
  FLEET_PER_MINUTE: '100000',
  FLEET_PER_HOUR: '1000000',
  LOG_LEVEL: 'warn',
  HEALSTREAM_HTTP_BASE_PORT: String(19000 + Math.floor(Math.random() * 500)),
  ...(NODE_OPTIONS ? { NODE_OPTIONS } : {}),
};
const root = infraSettings().repoRoot;
const envs = SERVICES.map((name, i) => serviceEnv(env, name, i));
const services = SERVICES.map((name, i) =>
  spawnService(root, name, envs[i] as NodeJS.ProcessEnv, () => {}, RUNTIME),
);
await sleep(8000);

const serde = new Serde(new RegistryClient(infra.registryUrl));
await serde.registerTopic(`${prefix}metrics`, 'MetricSample');
const producer = kafka.producer();
await producer.connect();
const rss = new Map<string, number[]>(SERVICES.map((s) => [s, []]));
const cpuAtStart = services.map((s) => cpuSeconds(s.child.pid as number));
const started = Date.now();
let sent = 0;
const anomalous = new Map<string, number>();
for (let tick = 0; Date.now() - started < SECONDS * 1000; tick++) {
  const now = Date.now();
  if (tick % 20 === 0) anomalous.set(names[(tick / 20) % COMPONENTS] as string, now + 10_000);
  const due = Math.floor(((now - started) / 1000) * RATE) - sent;
  const batch: MetricSample[] = [];
  for (let i = 0; i < due; i++) {
    const component = names[(sent + i) % COMPONENTS] as string;
    const sick = (anomalous.get(component) ?? 0) > now;
    batch.push({
      component,
      metric: 'latency_p99',
      value: sick ? 700 : 100 + ((sent + i) % 17),
      timestamp: now,
      labels: {},
    });
  }
  sent += due;
  if (batch.length)
    await producer.send({
      topic: `${prefix}metrics`,
      messages: batch.map((s) => ({
        key: s.component,
        value: serde.encode(`${prefix}metrics`, s),
        timestamp: String(now),
      })),
    });
  if (tick % 10 === 0)
    for (const s of services) rss.get(s.name)?.push(residentMiB(s.child.pid as number) ?? 0);
  await sleep(Math.max(0, started + (tick + 1) * 100 - Date.now()));
}
await producer.disconnect();
const cpuUnderLoad = Object.fromEntries(
  services.map((s, i) => [
    s.name,
    Math.round((cpuSeconds(s.child.pid as number) - (cpuAtStart[i] ?? 0)) * 100) / 100,
  ]),
);
const breakdown = Object.fromEntries(
  await Promise.all(
    services.map(async (s, i) => [
      s.name,
      {
        ...(await memoryBreakdown(Number(envs[i]?.['HTTP_PORT']))),
        ...residentSplit(s.child.pid as number),
      },
    ]),
  ),
);
if (SNAPSHOTS) {
  for (const s of services) s.child.kill('SIGUSR2');
  await sleep(15_000); // writing a snapshot stops the process for a few seconds
  // Node names a snapshot by process id; name it by service.
  for (const s of services)
    for (const file of readdirSync(SNAPSHOTS).filter((f) => f.includes(`.${s.child.pid}.`)))
      renameSync(join(SNAPSHOTS, file), join(SNAPSHOTS, `${s.name}.heapsnapshot`));
}
await stopServices(services);
runbook.close();
await admin.deleteTopics({ topics: topicCatalogue(prefix, 12).map((t) => t.name) }).catch(() => {});
await admin.disconnect();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const report = Object.fromEntries(
  [...rss].map(([name, xs]) => [name, { medianMiB: median(xs), maxMiB: Math.max(...xs) }]),
);
console.log(
  JSON.stringify(
    {
      rate: RATE,
      seconds: SECONDS,
      components: COMPONENTS,
      runtime: RUNTIME,
      nodeOptions: NODE_OPTIONS,
      samplesSent: sent,
      rssByService: report,
      cpuSecondsUnderLoad: cpuUnderLoad,
      memoryAtEndMiB: breakdown,
    },
    null,
    2,
  ),
);

process.exit(0);
