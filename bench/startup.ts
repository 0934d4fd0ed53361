/**
 * Start-up time and resident memory of each service, compiled (dist/, what `healstream start`,
 * the image and the manifests run) against the TypeScript sources through tsx's loader:
 *
 *   bash scripts/toolchain.sh pnpm bench:startup [--repeat 3] [--idle-seconds 3] [--only a,b]
 *
 * Each run uses fresh topics; in it every service is started alone (nothing else of healstream
 * competes for the CPU), once per runtime, the order of the two alternating from run to run.
 * Start-up is the wall time from spawn to the first 200 from /readyz (group joined, partitions
 * assigned and restored); RSS is read at that moment and again after `idle-seconds`, for the
 * service's process and for it with any child processes (tsx may start esbuild). The CLI's own
 * start-up (`healstream --help`) is timed the same way. Medians over the runs.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { topicCatalogue } from '@healstream/contracts';
import { infraSettings, residentMiB } from '@healstream/infra';
import { createTopics, quietKafkajsTimerWarnings } from '@healstream/runtime';
import {
  ensureCompiled,
  SERVICE_RUNTIMES,
  SERVICES,
  serviceEnv,
  spawnService,
  stopServices,
  type ServiceRuntime,
} from '@healstream/cli';
import { benchInfra } from './processes.js';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    'idle-seconds': { type: 'string', default: '3' },
    only: { type: 'string', default: SERVICES.join(',') },
  },
});
const ONLY = values.only.split(',').filter((s) => (SERVICES as readonly string[]).includes(s));
const REPEAT = Number(values.repeat);
const IDLE_MS = Number(values['idle-seconds']) * 1000;
quietKafkajsTimerWarnings();

const infra = await benchInfra('bench-startup');
const root = infraSettings().repoRoot;
ensureCompiled(root);
const kafka = infra.kafka;
const admin = kafka.admin();
await admin.connect();

const componentsFile = join(mkdtempSync(join(tmpdir(), 'healstream-startup-')), 'components.yaml');
writeFileSync(
  componentsFile,
  'components:\n  startup-0:\n    executor: http\n    target: http://127.0.0.1:9/runbook\n    allowed_actions: [restart-service]\n',
);

/** RSS of a process and of every process below it, in MiB. */
function treeMiB(pid: number): number {
  let total = residentMiB(pid) ?? 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) total += treeMiB(Number(child));
    }
  } catch {
    // the process ended between the reads
  }
  return total;
}

interface Sample {
  readyMs: number;
  rssAtReadyMiB: number;
  rssIdleMiB: number;
  treeIdleMiB: number;
}

async function startOnce(
  prefix: string,
  name: string,
  index: number,
  runtime: ServiceRuntime,
): Promise<Sample> {
  const env = serviceEnv(
    {
      ...process.env,
      KAFKA_BROKERS: infra.brokers,
      SCHEMA_REGISTRY_URL: infra.registryUrl,
      HEALSTREAM_TOPIC_PREFIX: prefix,
      COMPONENTS_FILE: componentsFile,
      WEBHOOK_SECRET: 'bench-startup-webhook-secret',
      LOG_LEVEL: 'warn',
      HEALSTREAM_HTTP_BASE_PORT: String(19500 + Math.floor(Math.random() * 400)),
    },
    name,
    index,
  );
  const lines: string[] = [];
  const started = performance.now();
  const service = spawnService(root, name, env, (l) => lines.push(l), runtime);
  const url = `http://127.0.0.1:${env['HTTP_PORT']}/readyz`;
  for (;;) {
    if (service.child.exitCode !== null)
      throw new Error(`${name} (${runtime}) exited:\n${lines.slice(-10).join('\n')}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(500) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (performance.now() - started > 120_000) throw new Error(`${name} (${runtime}) not ready`);
    await sleep(20);
  }
  const readyMs = performance.now() - started;
  const pid = service.child.pid as number;
  const rssAtReadyMiB = residentMiB(pid) ?? 0;
  await sleep(IDLE_MS);
  const sample = {
    readyMs: Math.round(readyMs),
    rssAtReadyMiB,
    rssIdleMiB: residentMiB(pid) ?? 0,
    treeIdleMiB: treeMiB(pid),
  };
  await stopServices([service]);
  return sample;
}

/** `healstream --help`: the CLI's own start-up, process start to exit. */
function cliOnce(runtime: ServiceRuntime): number {
  const args =
    runtime === 'compiled'
      ? [join(root, 'dist/cli/main.js'), '--help']
      : ['--import', 'tsx', join(root, 'packages/cli/src/main.ts'), '--help'];
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`healstream --help (${runtime}) failed`);
  return Math.round(performance.now() - started);
}

const samples = new Map<string, Sample[]>();
const cli = new Map<ServiceRuntime, number[]>(SERVICE_RUNTIMES.map((r) => [r, []]));
for (let run = 0; run < REPEAT; run++) {
  const prefix = `bench.start.${randomBytes(3).toString('hex')}.`;
  const topics = topicCatalogue(prefix, 12);
  await createTopics(admin, topics);
  const order = run % 2 === 0 ? [...SERVICE_RUNTIMES] : [...SERVICE_RUNTIMES].reverse();
  for (const [index, name] of SERVICES.entries())
    for (const runtime of ONLY.includes(name) ? order : []) {
      const sample = await startOnce(prefix, name, index, runtime);
      const key = `${name}/${runtime}`;
      samples.set(key, [...(samples.get(key) ?? []), sample]);
      console.error(`run ${run + 1}: ${key} ${JSON.stringify(sample)}`);
    }
  for (const runtime of order) cli.get(runtime)?.push(cliOnce(runtime));
  await admin.deleteTopics({ topics: topics.map((t) => t.name) }).catch(() => {});
}
await admin.disconnect();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const summary = (xs: Sample[]) => ({
  readyMs: median(xs.map((s) => s.readyMs)),
  rssAtReadyMiB: median(xs.map((s) => s.rssAtReadyMiB)),
  rssIdleMiB: median(xs.map((s) => s.rssIdleMiB)),
  treeIdleMiB: median(xs.map((s) => s.treeIdleMiB)),
});
const services = Object.fromEntries(
  ONLY.map((name) => [
    name,
    Object.fromEntries(
      SERVICE_RUNTIMES.map((r) => [r, summary(samples.get(`${name}/${r}`) ?? [])]),
    ),
  ]),
);
console.log(
  JSON.stringify(
    {
      runs: REPEAT,
      idleSeconds: IDLE_MS / 1000,
      services,
      cliHelpMs: Object.fromEntries([...cli].map(([r, xs]) => [r, median(xs)])),
    },
    null,
    2,
  ),
);
process.exit(0);
