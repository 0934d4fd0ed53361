/**
 * Resident memory of each of the five services under load, each in its own process as
 * `healstream start` runs them:
 *
 *   bash scripts/toolchain.sh pnpm bench:memory [--rate 1000] [--seconds 60] [--components 200]
 *
 * Samples flow at `rate` per second over `components` components; every 2 s one of them turns
 * anomalous for 10 s, so every stage has work (commands go to a local runbook webhook). RSS is
 * read from /proc every second; the report gives the median and the maximum per service.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { RegistryClient, Serde, topicCatalogue, type MetricSample } from '@healstream/contracts';
import { infraSettings, residentMiB, up } from '@healstream/infra';
import { createTopics, quietKafkajsTimerWarnings } from '@healstream/runtime';
import { SERVICES, serviceEnv, spawnService, stopServices } from '@healstream/cli';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    components: { type: 'string', default: '200' },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const COMPONENTS = Number(values.components);
quietKafkajsTimerWarnings();

const infra = process.env['KAFKA_BROKERS']
  ? {
      brokers: process.env['KAFKA_BROKERS'],
      registryUrl: process.env['SCHEMA_REGISTRY_URL'] as string,
    }
  : await up(infraSettings());
const prefix = `bench.mem.${randomBytes(3).toString('hex')}.`;
const kafka = new Kafka({
  clientId: 'bench-memory',
  brokers: infra.brokers.split(','),
  logLevel: logLevel.NOTHING,
});
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
};
const root = infraSettings().repoRoot;
const services = SERVICES.map((name, i) =>
  spawnService(root, name, serviceEnv(env, name, i), () => {}),
);
await sleep(8000);

const serde = new Serde(new RegistryClient(infra.registryUrl));
await serde.registerTopic(`${prefix}metrics`, 'MetricSample');
const producer = kafka.producer();
await producer.connect();
const rss = new Map<string, number[]>(SERVICES.map((s) => [s, []]));
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
      samplesSent: sent,
      rssByService: report,
    },
    null,
    2,
  ),
);

process.exit(0);
