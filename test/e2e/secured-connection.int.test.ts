import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { runCli } from '@healstream/cli';
import { infraSettings } from '@healstream/infra';
import {
  RegistryClient,
  Serde,
  topicCatalogue,
  type MetricSample,
  type ReliabilityEvent,
} from '@healstream/contracts';
import {
  baseEnvSchema,
  createKafka,
  createLogger,
  createRegistryClient,
  createTopics,
  loadConfig,
  partitioner,
  type BaseEnv,
} from '@healstream/runtime';
import { testEnv, uniqueName } from '../support/kafka.js';
import {
  logTail,
  makeCertificates,
  startSecuredKafka,
  type SecuredKafka,
  type TestCertificates,
} from '../support/secured-kafka.js';
import { startSecuredRegistry, type SecuredRegistry } from '../support/secured-registry.js';
import { readiness, spawnServiceProcess, waitUntil } from '../support/subprocess.js';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const logger = createLogger('secured-test', 'silent');

let certs: TestCertificates;
let broker: SecuredKafka;
let registry: SecuredRegistry;
let secured: Record<string, string>;
let config: Readonly<BaseEnv>;
let kafka: Kafka;

/** Waits until the secured listener takes a login: the broker's start-up, not a fixed sleep. */
async function brokerAnswers(): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (broker.exited()) throw new Error(`secured broker exited:\n${logTail(broker)}`);
    const admin = createKafka({
      config,
      clientId: 'secured-probe',
      logger,
      extra: { retry: { retries: 0 }, connectionTimeout: 1000 },
    }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`secured broker not up in 60 s (${String(error)}):\n${logTail(broker)}`);
      await sleep(300);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}

beforeAll(async () => {
  certs = await makeCertificates();
  broker = await startSecuredKafka(certs);
  registry = await startSecuredRegistry(certs, testEnv().registryUrl);
  const file = (name: string, text: string) => {
    const path = join(certs.dir, name);
    writeFileSync(path, `${text}\n`);
    return path;
  };
  // What a deployment sets: secrets and PEMs as mounted files, named by *_FILE.
  secured = {
    KAFKA_BROKERS: broker.brokers,
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: broker.username,
    KAFKA_SASL_PASSWORD_FILE: file('kafka-password', broker.password),
    KAFKA_SSL_CA_FILE: certs.ca,
    KAFKA_SSL_CERT_FILE: certs.clientCert,
    KAFKA_SSL_KEY_FILE: certs.clientKey,
    SCHEMA_REGISTRY_URL: registry.url,
    SCHEMA_REGISTRY_USERNAME: registry.username,
    SCHEMA_REGISTRY_PASSWORD_FILE: file('registry-password', registry.password),
    SCHEMA_REGISTRY_CA_FILE: certs.ca,
    HEALSTREAM_TOPIC_PREFIX: `${uniqueName('secured')}.`,
    HEALSTREAM_PARTITIONS: '1',
  };
  config = loadConfig(baseEnvSchema, secured);
  kafka = createKafka({ config, clientId: 'secured-test', logger });
  await brokerAnswers();
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, topicCatalogue(config.HEALSTREAM_TOPIC_PREFIX, 1));
  await admin.disconnect();
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  await broker?.stop();
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

function samples(component: string): MetricSample[] {
  const out: MetricSample[] = [];
  const at = (i: number) => T0 + i * 1000;
  const sample = (metric: string, value: number, timestamp: number): MetricSample => ({
    component,
    metric,
    value,
    timestamp,
    labels: { version: 'v1' },
  });
  for (let i = 0; i < 20; i++)
    out.push(
      sample('latency_p99_ms', 120 + (i % 7), at(i)),
      sample('error_rate', 0.01, at(i)),
      sample('throughput_rps', 250, at(i)),
    );
  out.push(
    sample('latency_p99_ms', 600, at(20)),
    sample('error_rate', 0.2, at(20)),
    sample('throughput_rps', 250, at(20)),
  );
  return out;
}

async function firstEvent(serde: Serde, topic: string): Promise<ReliabilityEvent> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  const events: ReliabilityEvent[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void events.push(await serde.decode<ReliabilityEvent>(message.value, 'ReliabilityEvent')),
    });
    await waitUntil(`a reliability event on ${topic}`, () => events.length > 0, 45_000);
    return events[0] as ReliabilityEvent;
  } finally {
    await consumer.disconnect();
  }
}

describe('a secured cluster: SASL_SSL (SCRAM-SHA-512, client certificates), registry over TLS with basic auth', () => {
  it('carries a metric through the detector process to a reliability event', async () => {
    const detector = spawnServiceProcess('detector', config, secured);
    await waitUntil(
      'the detector to be ready on the secured broker',
      async () => {
        if (detector.child.exitCode !== null)
          throw new Error(
            `detector exited ${detector.child.exitCode}:\n${detector.lines.join('\n')}`,
          );
        return (await readiness(detector.port)).ready;
      },
      60_000,
    );
    const topics = config.HEALSTREAM_TOPIC_PREFIX;
    const serde = new Serde(createRegistryClient(config));
    await serde.registerTopic(`${topics}metrics`, 'MetricSample');
    const producer = kafka.producer({ createPartitioner: partitioner });
    await producer.connect();
    await producer.send({
      topic: `${topics}metrics`,
      messages: samples('payments').map((s) => ({
        key: s.component,
        value: serde.encode(`${topics}metrics`, s),
        timestamp: String(s.timestamp),
      })),
    });
    await producer.disconnect();

    const event = await firstEvent(serde, `${topics}reliability-events`);
    expect(event).toMatchObject({ component: 'payments', kind: 'ANOMALY' });
    // The registry was reached through TLS and basic auth only.
    expect(registry.counts.accepted).toBeGreaterThan(0);
    expect(registry.counts.refused).toBe(0);
  });

  it('fails start-up with the SASL variables named and no secret printed when the password is wrong', async () => {
    const wrong = 'not-the-password-7f3a9c';
    const { KAFKA_SASL_PASSWORD_FILE: _file, ...rest } = secured;
    const detector = spawnServiceProcess('detector', config, {
      ...rest,
      KAFKA_SASL_PASSWORD: wrong,
    });
    const code = await detector.exited;
    const output = detector.lines.join('\n');
    expect(code, output).toBe(2);
    expect(output).toMatch(
      new RegExp(
        `detector: Kafka ${broker.brokers.replaceAll('.', '\\.')} refused the SCRAM-SHA-512 login of user 'healstream': check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
      ),
    );
    expect(output).not.toContain(wrong);
    expect(output).not.toContain(broker.password);
  });

  it('runs CLI commands over the same connection, and names the variables when refused', async () => {
    const run = async (env: Record<string, string>) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(['topics', 'create'], {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        cwd: infraSettings().repoRoot,
        env,
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    const ok = await run(secured);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/0 created, \d+ already there/);
    const wrong = 'cli-wrong-password-51d2';
    const { KAFKA_SASL_PASSWORD_FILE: _file, ...rest } = secured;
    const refused = await run({ ...rest, KAFKA_SASL_PASSWORD: wrong });
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(
      /healstream topics create: Kafka .* refused the SCRAM-SHA-512 login of user 'healstream': check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    );
    expect(refused.err + refused.out).not.toContain(wrong);
  });

  it.each(['PLAIN', 'SCRAM-SHA-256'])('logs in with %s too', async (mechanism) => {
    const other = loadConfig(baseEnvSchema, { ...secured, KAFKA_SASL_MECHANISM: mechanism });
    const admin = createKafka({ config: other, clientId: `secured-${mechanism}`, logger }).admin();
    await admin.connect();
    try {
      expect((await admin.listTopics()).length).toBeGreaterThan(0);
    } finally {
      await admin.disconnect();
    }
  });

  it('says a refused registry login as the variables to fix', async () => {
    const client = new RegistryClient(registry.url, {
      username: registry.username,
      password: 'wrong-registry-password',
      ca: readFileSync(certs.ca, 'utf8'),
    });
    await expect(client.register('secured-test-value', { type: 'string' })).rejects.toThrow(
      /refused POST .* \(HTTP 401\): check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD/,
    );
    // Without the CA the registry's certificate is not trusted.
    await expect(
      new RegistryClient(registry.url).register('secured-test-value', { type: 'string' }),
    ).rejects.toThrow(/unreachable: fetch failed: .*(CERT|SIGNATURE|ISSUER)/);
  });
});
