/**
 * What one chaos scenario runs on: fresh topics under their own prefix on the private broker,
 * a local runbook (the `http` executor's target) that records every call with its
 * Idempotency-Key, a health endpoint per component, a webhook sink that records every page,
 * the services as separate processes (two instances of each stateful stage) and a workload
 * publishing MetricSamples with anomalies at intervals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka, Producer } from 'kafkajs';
import {
  RegistryClient,
  Serde,
  pipelineTopics,
  topicCatalogue,
  topicsFor,
  type MetricSample,
  type PipelineTopic,
} from '@healstream/contracts';
import { ensureCompiled, SERVICE_ENV, SERVICES, serviceArgs } from '@healstream/cli';
import { freePort, infraSettings } from '@healstream/infra';
import { createKafka, createLogger, createTopics, partitioner } from '@healstream/runtime';

/** The five stages, as `healstream start` names them. */
export type Stage = (typeof SERVICES)[number];
/** The stages that keep state (changelog, ledger): two instances of each. */
export const STATEFUL: readonly Stage[] = [
  'detector',
  'policy-evaluator',
  'action-executor',
  'escalator',
];

export interface StackOptions {
  brokers: string;
  registryUrl: string;
  dir: string;
  scenario: string;
  components: number;
  partitions: number;
  /** How long the runbook takes to answer: long enough for actions to be in flight. */
  runbookDelayMs: number;
  log: (line: string) => void;
}

export interface RunbookCall {
  key: string;
  commandId: string;
  component: string;
  action: string;
  at: number;
}
export interface SinkPage {
  escalationId: string;
  status: string;
  source: string;
  component: string;
  dedupKey?: string;
  at: number;
}

/** A record the workload made poison on purpose, and the error code its consumer must give. */
export interface PoisonSent {
  /** Logical topic it was written to. */
  topic: string;
  key: string;
  code: 'BAD_FRAMING' | 'UNKNOWN_SCHEMA';
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}
const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

/** The fleet's own record of what it was asked to do: every runbook call, with its key. */
async function startRunbook(delayMs: number) {
  const calls: RunbookCall[] = [];
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    void body(req).then((text) => {
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        /* recorded with empty fields */
      }
      calls.push({
        key: String(req.headers['idempotency-key'] ?? ''),
        commandId: String(parsed['commandId'] ?? ''),
        component: String(parsed['component'] ?? ''),
        action: String(parsed['action'] ?? ''),
        at: Date.now(),
      });
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, delayMs);
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/runbook`,
    calls,
    inFlight: () => inFlight,
    close: () => closeServer(server),
  };
}

/** Health checks: `/healthz/<component>`; components listed in `failing` never recover. */
async function startHealth(failing: Set<string>) {
  const server = createServer((req, res) => {
    const component = (req.url ?? '').split('/').pop() ?? '';
    res.writeHead(failing.has(component) ? 503 : 200).end(failing.has(component) ? 'sick' : 'ok');
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/healthz`, close: () => closeServer(server) };
}

/** The escalator's webhook sink: records every page it accepts; `down` drops connections. */
async function startSink() {
  const pages: SinkPage[] = [];
  let down = false;
  let refused = 0;
  const server = createServer((req, res) => {
    if (down) {
      refused++;
      req.socket.destroy();
      return;
    }
    void body(req).then((text) => {
      let page: Record<string, unknown> = {};
      try {
        page = JSON.parse(text) as Record<string, unknown>;
      } catch {
        /* recorded with empty fields */
      }
      pages.push({
        escalationId: String(page['escalationId'] ?? ''),
        status: String(page['status'] ?? ''),
        source: String(page['source'] ?? ''),
        component: String(page['component'] ?? ''),
        dedupKey: String(page['dedupKey'] ?? ''),
        at: Date.now(),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/pages`,
    pages,
    refused: () => refused,
    setDown: (value: boolean) => void (down = value),
    close: () => closeServer(server),
  };
}

export const POLICY_YAML = `- name: Chaos Latency
  description: Latency over 500 ms; two actions, so a command is often in flight between them.
  conditions:
    - metric: latency_p99_ms
      operator: gt
      threshold: 500
  actions:
    - restart-service
    - scale-up
  priority: 10
  cooldown_seconds: 5
`;

export interface Instance {
  stage: Stage;
  id: string;
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
  stopped: boolean;
}

export interface Workload {
  published: () => number;
  failedSends: () => number;
  /** Sample timestamps of the first anomalous sample of each window that reached the broker. */
  anomalies: { component: string; at: number }[];
  /** Poison records the broker took. */
  poison: PoisonSent[];
  stop: () => Promise<void>;
}

export interface ChaosStack {
  prefix: string;
  kafka: Kafka;
  components: string[];
  runbook: Awaited<ReturnType<typeof startRunbook>>;
  sink: Awaited<ReturnType<typeof startSink>>;
  instances: Instance[];
  kill9(instance: Instance): Promise<void>;
  /** A further instance of a stage (it joins the stage's group). */
  add(stage: Stage, id: string): Promise<Instance>;
  /** SIGTERM: the instance leaves its group the ordinary way. */
  stopInstance(instance: Instance): Promise<void>;
  /** Live instances that exited, or whose /readyz is not 200: each with why. */
  unhealthy(): Promise<string[]>;
  /** A new process for the same instance id (after a kill). */
  restart(instance: Instance): Promise<Instance>;
  waitReady(timeoutMs?: number): Promise<void>;
  startWorkload(options?: WorkloadOptions): Workload;
  stop(): Promise<void>;
}

async function readyz(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
    async (r) => (await r.body?.cancel(), r.ok),
    () => false,
  );
}

export async function startStack(options: StackOptions): Promise<ChaosStack> {
  const { log } = options;
  const repoRoot = infraSettings().repoRoot;
  const prefix = `chaos-${options.scenario}-${Math.random().toString(16).slice(2, 8)}.`;
  const dir = join(options.dir, options.scenario);
  mkdirSync(join(dir, 'policies'), { recursive: true });
  const kafka = createKafka({
    config: { KAFKA_BROKERS: options.brokers.split(','), KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' },
    clientId: 'healstream-chaos',
    logger: createLogger('chaos', 'silent'),
  });
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, topicCatalogue(prefix, options.partitions));
  await admin.disconnect();

  const cleanups: (() => Promise<void>)[] = [];
  const components = Array.from({ length: options.components }, (_, i) => `svc-${i}`);
  // Every other component never recovers: its ladder runs out and it pages.
  const failing = new Set(components.filter((_, i) => i % 2 === 1));
  const runbook = await startRunbook(options.runbookDelayMs);
  cleanups.push(runbook.close);
  const health = await startHealth(failing);
  cleanups.push(health.close);
  const sink = await startSink();
  cleanups.push(sink.close);

  const componentsFile = join(dir, 'components.yaml');
  writeFileSync(
    componentsFile,
    `components:\n${components
      .map(
        (c) =>
          `  ${c}:\n    executor: http\n    target: ${runbook.url}\n    allowed_actions: [restart-service, scale-up, alert-oncall]\n    health_check: { url: "${health.url}/${c}", timeout_ms: 500 }\n`,
      )
      .join('')}`,
  );
  writeFileSync(join(dir, 'policies', 'chaos.yaml'), POLICY_YAML);
  const detectorConfig = join(dir, 'detector.json');
  writeFileSync(
    detectorConfig,
    JSON.stringify({
      reemitEveryMs: 60_000,
      resolveAfterSamples: 3,
      statistical: { enabled: false },
    }),
  );
  const env: Record<string, string> = {
    KAFKA_BROKERS: options.brokers,
    SCHEMA_REGISTRY_URL: options.registryUrl,
    HEALSTREAM_TOPIC_PREFIX: prefix,
    HEALSTREAM_PARTITIONS: String(options.partitions),
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    LOG_LEVEL: 'info',
    COMPONENTS_FILE: componentsFile,
    ESCALATOR_COMPONENTS_FILE: componentsFile,
    POLICIES_DIR: join(dir, 'policies'),
    DETECTOR_CONFIG: detectorConfig,
    WEBHOOK_SECRET: 'chaos-runbook-signing-secret',
    ESCALATOR_WEBHOOK_URL: sink.url,
    MAX_ATTEMPTS: '2',
    COMMAND_TIMEOUT_MS: '30000',
    ACTION_TIMEOUT_MS: '10000',
    ACTION_MAX_ATTEMPTS: '2',
    VERIFY_WINDOW_MS: '3000',
    VERIFY_INTERVAL_MS: '300',
    VERIFY_HEALTHY_CHECKS: '2',
    DRAIN_TIMEOUT_MS: '3000',
    HEALSTREAM_STOP_WITH_PARENT: '1',
  };

  const instances: Instance[] = [];
  const spawnInstance = async (stage: Stage, id: string): Promise<Instance> => {
    const port = await freePort();
    const out = createWriteStream(join(dir, `${id}.log`), { flags: 'a' });
    // Compiled, with the settings `healstream start` gives them: what users run is what breaks.
    ensureCompiled(repoRoot);
    const child = spawn(process.execPath, serviceArgs(repoRoot, stage, 'compiled'), {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...SERVICE_ENV,
        ...env,
        HTTP_PORT: String(port),
        HEALSTREAM_INSTANCE_ID: id,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void exited.then(() => out.end());
    const instance: Instance = { stage, id, port, child, exited, stopped: false };
    instances.push(instance);
    return instance;
  };
  for (const stage of SERVICES) {
    const count = STATEFUL.includes(stage) ? 2 : 1;
    for (let i = 0; i < count; i++) await spawnInstance(stage, `${stage}-${i + 1}`);
  }
  const live = () => instances.filter((i) => !i.stopped);
  const kill9 = async (instance: Instance) => {
    instance.stopped = true;
    instance.child.kill('SIGKILL');
    await instance.exited;
  };
  const stack: ChaosStack = {
    prefix,
    kafka,
    components,
    runbook,
    sink,
    instances,
    kill9,
    add: (stage, id) => spawnInstance(stage, id),
    stopInstance: async (instance) => {
      instance.stopped = true;
      instance.child.kill('SIGTERM');
      const timer = setTimeout(() => instance.child.kill('SIGKILL'), 15_000);
      await instance.exited;
      clearTimeout(timer);
    },
    unhealthy: async () => {
      const states = await Promise.all(live().map((i) => readyz(i.port)));
      return live().flatMap((i, n) =>
        i.child.exitCode !== null
          ? [`${i.id} exited with ${i.child.exitCode}`]
          : states[n]
            ? []
            : [`${i.id} not ready`],
      );
    },
    restart: async (instance) => {
      if (!instance.stopped) await kill9(instance);
      return spawnInstance(instance.stage, instance.id);
    },
    waitReady: async (timeoutMs = 180_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const dead = live().find((i) => i.child.exitCode !== null);
        if (dead) throw new Error(`${dead.id} exited with ${dead.child.exitCode}; see ${dir}`);
        const states = await Promise.all(live().map((i) => readyz(i.port)));
        if (states.every(Boolean)) return;
        if (Date.now() > deadline)
          throw new Error(
            `not ready within ${timeoutMs / 1000} s: ${live()
              .filter((_, n) => !states[n])
              .map((i) => i.id)
              .join(', ')}`,
          );
        await sleep(500);
      }
    },
    startWorkload: (w = {}) => startWorkload(kafka, options, prefix, components, w, log),
    stop: async () => {
      for (const i of live()) i.child.kill('SIGTERM');
      const timer = setTimeout(() => live().forEach((i) => i.child.kill('SIGKILL')), 10_000);
      // A SIGSTOPped instance never sees SIGTERM: let it go on so it can exit.
      for (const i of live()) i.child.kill('SIGCONT');
      await Promise.all(live().map((i) => i.exited));
      clearTimeout(timer);
      for (const close of cleanups.reverse()) await close().catch(() => {});
    },
  };
  log(`stack ${prefix}: ${instances.map((i) => i.id).join(', ')}; logs in ${dir}`);
  return stack;
}

export interface WorkloadOptions {
  everyMs?: number;
  periodMs?: number;
  anomalyMs?: number;
  /** One poison record every this many ms (0: none). */
  poisonEveryMs?: number;
}

/**
 * A poison record for the metrics topic: alternately bytes without the Confluent framing, and a
 * framed value whose schema id no registry has. Keyed uniquely, so its dead letter is found.
 */
function poisonRecord(n: number): { message: { key: string; value: Buffer }; sent: PoisonSent } {
  const key = `chaos-poison-${n}`;
  if (n % 2 === 0)
    return {
      message: { key, value: Buffer.from('chaos poison: not Avro') },
      sent: { topic: 'metrics', key, code: 'BAD_FRAMING' },
    };
  const framed = Buffer.alloc(6);
  framed.writeUInt8(0, 0);
  framed.writeUInt32BE(2_000_000_000 + n, 1);
  return {
    message: { key, value: framed },
    sent: { topic: 'metrics', key, code: 'UNKNOWN_SCHEMA' },
  };
}

function startWorkload(
  kafka: Kafka,
  options: StackOptions,
  prefix: string,
  components: string[],
  w: WorkloadOptions,
  log: (line: string) => void,
): Workload {
  const everyMs = w.everyMs ?? 500;
  const periodMs = w.periodMs ?? 20_000;
  const anomalyMs = w.anomalyMs ?? 5000;
  const poisonEveryMs = w.poisonEveryMs ?? 0;
  const poison: PoisonSent[] = [];
  let lastPoison = Date.now();
  const topic = topicsFor(prefix).metrics.topic;
  const serde = new Serde(new RegistryClient(options.registryUrl));
  let published = 0;
  let failed = 0;
  let stopped = false;
  const anomalies: { component: string; at: number }[] = [];
  const inWindow = new Map<string, boolean>();
  const started = Date.now();
  let producer: Producer | undefined;
  const loop = (async () => {
    await serde.registerTopic(topic, 'MetricSample');
    producer = kafka.producer({ createPartitioner: partitioner, retry: { retries: 3 } });
    await producer.connect();
    while (!stopped) {
      const now = Date.now();
      const firsts: { component: string; at: number }[] = [];
      const samples: MetricSample[] = components.flatMap((component, i) => {
        const phase = (now - started + (i * periodMs) / components.length) % periodMs;
        const anomalous = phase < anomalyMs;
        if (anomalous && !inWindow.get(component)) firsts.push({ component, at: now });
        if (!anomalous) inWindow.set(component, false);
        return [
          ['latency_p99_ms', anomalous ? 650 : 120 + (i % 7)],
          ['error_rate', 0.01],
          ['throughput_rps', 800],
        ].map(([metric, value]) => ({
          component,
          metric: metric as string,
          value: value as number,
          timestamp: now,
          labels: {},
        }));
      });
      try {
        await producer.send({
          topic,
          messages: samples.map((s) => ({
            key: s.component,
            value: serde.encode(topic, s),
            timestamp: String(s.timestamp),
          })),
        });
        published += samples.length;
        for (const f of firsts) {
          inWindow.set(f.component, true);
          anomalies.push(f);
        }
      } catch {
        // The broker is down: these samples are lost, the window starts with the next that lands.
        failed += samples.length;
      }
      if (poisonEveryMs > 0 && Date.now() - lastPoison >= poisonEveryMs) {
        const { message, sent } = poisonRecord(poison.length);
        // Counted only once the broker took it; one it refused is sent again next time.
        await producer.send({ topic, messages: [message] }).then(
          () => (poison.push(sent), (lastPoison = Date.now())),
          () => {},
        );
      }
      await sleep(everyMs);
    }
  })().catch((error: unknown) => log(`workload stopped: ${(error as Error).message}`));
  return {
    published: () => published,
    failedSends: () => failed,
    anomalies,
    poison,
    stop: async () => {
      stopped = true;
      await loop;
      await producer?.disconnect().catch(() => {});
    },
  };
}

/** The pipeline topics the invariants read, with their record names. */
export const OUTPUT_TOPICS = Object.keys(pipelineTopics).filter(
  (t) => t !== 'metrics' && t !== 'reliability-events',
) as PipelineTopic[];
