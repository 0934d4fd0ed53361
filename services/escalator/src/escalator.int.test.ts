import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  dlqName,
  dlqSourceTopics,
  examples,
  PoisonRecordError,
  sign,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  type Escalation,
  type HealingOutcome,
} from '@healstream/contracts';
import {
  createLogger,
  deadLetter,
  loadConfig,
  runService,
  type Registry,
} from '@healstream/runtime';
import {
  privateAlertmanager,
  type PrivateAlertmanager,
} from '@healstream/test-support/alertmanager';
import { readTopic, testKafka, testSerde } from '@healstream/test-support/kafka';
import { freshRegistry, privatePipeline } from '@healstream/test-support/pipeline';
import { escalatorEnvSchema } from './config.js';
import { loadRouting } from './routing.js';
import { escalatorService } from './service.js';
import { startTestWebhook, type TestWebhook } from '@healstream/test-support/webhook';

interface Rig {
  topic: (logical: string) => string;
  hook: TestWebhook;
  am: PrivateAlertmanager;
  registry: Registry;
  produce: (
    topic: string,
    messages: { key: string; value: Buffer | null; headers?: Record<string, string> }[],
  ) => Promise<void>;
  /** Records in `escalations` once there are `count`, plus any that arrive within `settleMs`. */
  escalations: (count: number, settleMs: number) => Promise<Escalation[]>;
  metric: (name: string, labels: Record<string, string>) => Promise<number>;
}

/**
 * kafkajs' createTopics (waitForLeaders) can fail with UNKNOWN_TOPIC_OR_PARTITION while a busy
 * broker has not published the new topics' metadata yet; creating them again is idempotent.
 */
async function pipelineWithRetry(): Promise<Awaited<ReturnType<typeof privatePipeline>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await privatePipeline({ partitions: 3 });
    } catch (error) {
      if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || attempt >= 5)
        throw error;
      await sleep(500 * attempt);
    }
  }
}

/** A private pipeline, a real Alertmanager, a local webhook, and the escalator between them. */
async function rig(
  options: {
    hook?: TestWebhook;
    escalationYaml?: (urls: { hook: string; am: string }) => string;
  } = {},
): Promise<Rig> {
  const pipeline = await pipelineWithRetry();
  const am = await privateAlertmanager();
  const hook = options.hook ?? (await startTestWebhook());
  onTestFinished(() => hook.close());
  const env: Record<string, string> = {
    KAFKA_BROKERS: pipeline.config.KAFKA_BROKERS.join(','),
    SCHEMA_REGISTRY_URL: pipeline.config.SCHEMA_REGISTRY_URL,
    HEALSTREAM_TOPIC_PREFIX: pipeline.prefix,
    HEALSTREAM_PARTITIONS: '3',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    ESCALATOR_WEBHOOK_URL: hook.url,
    ESCALATOR_WEBHOOK_SECRET: 'test-secret',
    ESCALATOR_ALERTMANAGER_URL: am.url,
    ESCALATOR_TRAIL_URL: 'https://trail.example/incidents/{incident}',
    ESCALATOR_SINK_TIMEOUT_MS: '2000',
  };
  const yaml = options.escalationYaml?.({ hook: hook.url, am: am.url });
  if (yaml) {
    delete env['ESCALATOR_WEBHOOK_URL'];
    delete env['ESCALATOR_ALERTMANAGER_URL'];
  }
  const config = loadConfig(escalatorEnvSchema, env);
  const routing = loadRouting({
    file: yaml ? { text: yaml, name: 'escalation.yaml' } : undefined,
    webhookUrl: config.ESCALATOR_WEBHOOK_URL,
    webhookSecret: config.ESCALATOR_WEBHOOK_SECRET,
    alertmanagerUrl: config.ESCALATOR_ALERTMANAGER_URL,
    timeoutMs: config.ESCALATOR_SINK_TIMEOUT_MS,
    env,
  });
  const kafka = testKafka('escalator-test');
  const logger = createLogger('escalator', config.LOG_LEVEL);
  const registry = freshRegistry('escalator');
  const running = await runService(escalatorService({ config, routing, kafka, logger, registry }), {
    config,
    logger,
    registry,
    kafka,
  });
  onTestFinished(() => running.stop());

  const serde = testSerde();
  const producer = kafka.producer();
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  return {
    topic: pipeline.topic,
    hook,
    am,
    registry,
    produce: async (topic, messages) => {
      await producer.send({ topic, messages });
    },
    escalations: async (count, settleMs) => {
      const messages = await readTopic(kafka, pipeline.topic('escalations'), {
        timeoutMs: 60_000,
        settleMs,
        until: (ms) => ms.length >= count,
      });
      return Promise.all(messages.map((m) => serde.decode<Escalation>(m.value, 'Escalation')));
    },
    metric: async (name, labels) => {
      const metric = await registry.getSingleMetric(name)?.get();
      return (metric?.values ?? [])
        .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
        .reduce((sum, v) => sum + v.value, 0);
    },
  };
}

async function encode(
  topic: string,
  record: 'HealingOutcome' | 'Escalation',
  value: unknown,
): Promise<Buffer> {
  const serde = testSerde();
  await serde.registerTopic(topic, record);
  return serde.encode(topic, value);
}

const webhookPages = (hook: TestWebhook) => hook.accepted().map((r) => r.json as Escalation);
const wait = { timeout: 60_000, interval: 200 };

describe('escalator on a real broker, Alertmanager and webhook', () => {
  it('pages a poison record of every DLQ to the webhook and Alertmanager, and writes it to escalations', async () => {
    const r = await rig();
    // A dead letter in each pipeline DLQ, as the consumer of that topic would have written it.
    for (const logical of dlqSourceTopics) {
      const original = r.topic(logical);
      const letter = deadLetter(
        {
          key: Buffer.from(`comp-${logical}`),
          value: Buffer.from('not avro'),
          headers: {},
          offset: '41',
          timestamp: String(Date.now()),
          attributes: 0,
        },
        new PoisonRecordError('DECODE_FAILED', 'the value does not decode with its schema'),
        { topic: original, partition: 0, service: 'some-consumer', now: Date.now() },
      );
      expect(letter.topic).toBe(dlqName(original));
      await r.produce(letter.topic, [
        {
          key: `comp-${logical}`,
          value: letter.message.value as Buffer,
          headers: letter.message.headers as Record<string, string>,
        },
      ]);
    }
    // And a real poison record on an escalator input: the escalator dead-letters it, then pages it once.
    await r.produce(r.topic('healing-outcomes'), [
      { key: 'comp-garbage', value: Buffer.from('garbage') },
    ]);

    // One page per source topic and error (the garbage is BAD_FRAMING, the letters above
    // DECODE_FAILED): the component is the topic, not the record's key.
    const expected = [...dlqSourceTopics, 'healing-outcomes'].sort();
    await vi.waitFor(
      () =>
        expect(
          webhookPages(r.hook)
            .map((p) => p.component)
            .sort(),
        ).toEqual(expected),
      wait,
    );
    for (const page of webhookPages(r.hook))
      expect(page).toMatchObject({
        source: 'DEAD_LETTER',
        status: 'TRIGGERED',
        channel: 'webhook',
      });
    const garbage = webhookPages(r.hook).find((p) => p.details.includes("key 'comp-garbage'"));
    expect(garbage?.details).toContain(`${r.topic('healing-outcomes')} partition`);

    await vi.waitFor(
      async () =>
        expect((await r.am.alerts({ source: 'DEAD_LETTER' })).length).toBe(expected.length),
      wait,
    );
    const alert = (await r.am.alerts({ component: 'metrics' }))[0];
    expect(alert?.labels).toEqual({
      alertname: 'HealstreamEscalation',
      component: 'metrics',
      severity: 'warning',
      source: 'DEAD_LETTER',
      dedup: 'healstream/dead-letter/metrics/DECODE_FAILED',
    });
    expect(alert?.annotations['description']).toContain('does not decode with its schema');

    const recorded = await r.escalations(expected.length, 2000);
    expect(recorded.map((p) => p.component).sort()).toEqual(expected);
    expect(recorded.every((p) => p.channel === 'webhook,alertmanager')).toBe(true);
    // Paged once: the escalator's own dead letter was not paged again and again.
    expect(
      webhookPages(r.hook).filter((p) => p.details.includes("key 'comp-garbage'")),
    ).toHaveLength(1);
  });

  it('pages once for an outcome that did not recover, with actions tried, and resolves it on recovery', async () => {
    const r = await rig();
    const now = Date.now();
    const topic = r.topic('healing-outcomes');
    const failed: HealingOutcome = {
      ...examples.HealingOutcome,
      incidentId: 'inc-int-1',
      verification: 'NOT_RECOVERED',
      verificationDetail: 'health check 503 for 30s',
      actions: [
        {
          name: 'restart-service',
          status: 'SUCCEEDED',
          durationMs: 900,
          error: null,
          detail: null,
        },
      ],
      startedAt: now - 1000,
      finishedAt: now,
    };
    await r.produce(topic, [
      { key: 'payments', value: await encode(topic, 'HealingOutcome', failed) },
    ]);
    await r.produce(topic, [
      {
        key: 'payments',
        value: await encode(topic, 'HealingOutcome', {
          ...failed,
          attempt: 2,
          commandId: 'cmd-2',
          finishedAt: now + 1,
        }),
      },
    ]);

    await vi.waitFor(
      async () => expect(await r.am.alerts({ incident: 'inc-int-1' })).toHaveLength(1),
      wait,
    );
    const [alert] = await r.am.alerts({ incident: 'inc-int-1' });
    expect(alert?.labels).toMatchObject({
      component: 'payments',
      severity: 'critical',
      source: 'HEALING_FAILED',
      dedup: 'healstream/incident/inc-int-1',
    });
    expect(alert?.annotations['actions_tried']).toContain(
      'restart-service → SUCCEEDED in 900 ms; verification NOT_RECOVERED (health check 503 for 30s)',
    );
    const [page] = webhookPages(r.hook);
    expect(page?.links).toContain('https://trail.example/incidents/inc-int-1');

    const recovered = {
      ...failed,
      attempt: 3,
      commandId: 'cmd-3',
      verification: 'RECOVERED',
      verificationDetail: 'health check 200',
      finishedAt: now + 2,
    };
    await r.produce(topic, [
      { key: 'payments', value: await encode(topic, 'HealingOutcome', recovered) },
    ]);
    await vi.waitFor(
      async () => expect(await r.am.alerts({ incident: 'inc-int-1' })).toHaveLength(0),
      wait,
    );
    await vi.waitFor(
      () => expect(webhookPages(r.hook).map((p) => p.status)).toEqual(['TRIGGERED', 'RESOLVED']),
      wait,
    );
    expect(webhookPages(r.hook)[1]?.escalationId).toBe(page?.escalationId);

    const recorded = await r.escalations(2, 1500);
    expect(recorded.map((p) => [p.status, p.source, p.incidentId])).toEqual([
      ['TRIGGERED', 'HEALING_FAILED', 'inc-int-1'],
      ['RESOLVED', 'HEALING_FAILED', 'inc-int-1'],
    ]);
    expect(recorded[0]?.actionsTried).toHaveLength(1);
  });

  it('delivers a page later when the webhook is down at first, and drops nothing', async () => {
    const hook = await startTestWebhook();
    hook.respond = (i) => (i < 5 ? 503 : 200);
    // Alertmanager first, so the retries show it is not paged again while the webhook is down.
    const r = await rig({
      hook,
      escalationYaml: (urls) => `
sinks:
  am: { type: alertmanager, url: '${urls.am}' }
  hook: { type: webhook, url: '${urls.hook}', secret_env: ESCALATOR_WEBHOOK_SECRET }
default: [am, hook]
`,
    });
    const topic = r.topic('escalation-requests');
    const request: Escalation = {
      ...examples.Escalation,
      escalationId: 'esc-down-1',
      incidentId: 'inc-down',
      dedupKey: 'healstream/incident/inc-down',
      createdAt: Date.now(),
    };
    await r.produce(topic, [
      { key: 'payments', value: await encode(topic, 'Escalation', request) },
    ]);

    await vi.waitFor(() => expect(hook.accepted()).toHaveLength(1), wait);
    expect(hook.received.length).toBeGreaterThanOrEqual(6);
    const [delivered] = hook.accepted();
    expect((delivered?.json as Escalation).escalationId).toBe('esc-down-1');
    expect(delivered?.headers[SIGNATURE_HEADER]).toBe(
      sign('test-secret', String(delivered?.headers[TIMESTAMP_HEADER]), delivered?.body ?? ''),
    );
    expect(
      await r.metric('healstream_escalator_pages_failed_total', {
        sink: 'hook',
        reason: 'unavailable',
      }),
    ).toBeGreaterThan(0);
    // Alertmanager took it on the first attempt and was not called again on the retries.
    expect(await r.metric('healstream_escalator_pages_delivered_total', { sink: 'am' })).toBe(1);
    expect(await r.am.alerts({ incident: 'inc-down' })).toHaveLength(1);
    const recorded = await r.escalations(1, 1500);
    expect(recorded.map((p) => [p.escalationId, p.channel])).toEqual([['esc-down-1', 'am,hook']]);
  });

  it('raises exactly one page for 50 STORM_BREAKER requests with the same dedup key', async () => {
    const r = await rig();
    const topic = r.topic('escalation-requests');
    const now = Date.now();
    const messages = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => ({
        key: '__fleet__',
        value: await encode(topic, 'Escalation', {
          ...examples.Escalation,
          escalationId: `storm-${i}`,
          source: 'STORM_BREAKER',
          incidentId: `inc-storm-${i}`,
          component: `comp-${i}`,
          dedupKey: 'healstream/storm-breaker/fleet/minute',
          summary: 'healing budget exhausted',
          createdAt: now + i,
        } satisfies Escalation),
      })),
    );
    await r.produce(topic, messages);
    // Wait until all 50 were consumed, then count.
    await vi.waitFor(
      async () =>
        expect(
          await r.metric('healstream_escalator_pages_suppressed_total', {
            source: 'STORM_BREAKER',
          }),
        ).toBe(49),
      wait,
    );
    expect(webhookPages(r.hook).map((p) => p.escalationId)).toEqual(['storm-0']);
    expect(await r.am.alerts({ source: 'STORM_BREAKER' })).toHaveLength(1);
    const recorded = await r.escalations(1, 2000);
    expect(recorded.map((p) => [p.escalationId, p.source, p.dedupKey])).toEqual([
      ['storm-0', 'STORM_BREAKER', 'healstream/storm-breaker/fleet/minute'],
    ]);
  });
});
