import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type {
  HealingCommand,
  HealingDecision,
  MetricSample,
  ReliabilityEvent,
  Diagnosis,
} from '@healstream/contracts';
import { testKafka, testSerde } from '../support/kafka.js';
import { privatePipeline } from '../support/pipeline.js';
import { startDetector, startDiagnoser, startEvaluator } from '../support/services.js';

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

function healthy(component: string, at: number): MetricSample[] {
  return [
    {
      component,
      metric: 'latency_p99',
      value: 120 + (at % 7),
      timestamp: at,
      labels: { version: 'v1' },
    },
    { component, metric: 'error_rate', value: 0.01, timestamp: at, labels: { version: 'v1' } },
    { component, metric: 'throughput', value: 250, timestamp: at, labels: { version: 'v1' } },
  ];
}

async function publish(topic: string, samples: MetricSample[]) {
  const kafka = testKafka();
  const serde = testSerde();
  await serde.registerTopic(topic, 'MetricSample');
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: samples.map((s) => ({
      key: s.component,
      value: serde.encode(topic, s),
      timestamp: String(s.timestamp),
    })),
  });
  await producer.disconnect();
}

/** Polls a topic until the decoded records satisfy `done` (or fails after the timeout). */
async function waitForRecords<T>(
  topic: string,
  record: 'ReliabilityEvent' | 'Diagnosis' | 'HealingDecision' | 'HealingCommand',
  done: (items: T[]) => boolean,
  timeoutMs = 30_000,
): Promise<T[]> {
  const serde = testSerde();
  const kafka = testKafka();
  const items: T[] = [];
  let error: unknown;
  const deadline = Date.now() + timeoutMs;
  const consumer = kafka.consumer({
    groupId: `reader-${Math.random()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) =>
      void items.push(
        await serde
          .decode<T>(message.value, record)
          .catch((e: unknown) => ((error = e), undefined as T)),
      ),
  });
  try {
    while (!done(items)) {
      if (error) throw error;
      if (Date.now() > deadline)
        throw new Error(
          `timed out on ${topic} with ${items.length} records: ${JSON.stringify(items).slice(0, 2000)}`,
        );
      await sleep(100);
    }
    return items;
  } finally {
    await consumer.disconnect();
  }
}

describe('detector → diagnoser → policy-evaluator on the real broker', () => {
  it('holds the event of a scrape split across two transactions until the scrape is whole', async () => {
    const { config, topic } = await privatePipeline();
    await startDetector(config, { reemitEveryMs: 5000 });
    const samples: MetricSample[] = [];
    for (let i = 0; i < 10; i++) samples.push(...healthy('orders', T0 + i * 1000));
    await publish(topic('metrics'), samples);
    const at = T0 + 10_000;
    const scrape = healthy('orders', at).map((s) =>
      s.metric === 'latency_p99'
        ? { ...s, value: 900 }
        : s.metric === 'error_rate'
          ? { ...s, value: 0.3 }
          : s,
    );
    // The first metric of the scrape opens the incident; the rest comes in a later send.
    await publish(topic('metrics'), scrape.slice(0, 1));
    await sleep(1500);
    await publish(topic('metrics'), scrape.slice(1));
    const events = await waitForRecords<ReliabilityEvent>(
      topic('reliability-events'),
      'ReliabilityEvent',
      (e) => e.length >= 1,
    );
    expect(events[0]).toMatchObject({ component: 'orders', kind: 'ANOMALY', detectedAt: at });
    expect(events[0]?.anomalies.map((a) => a.metric)).toContain('error_rate');
    expect(events[0]?.snapshot.find((r) => r.metric === 'error_rate')).toMatchObject({
      value: 0.3,
      observedAt: at,
    });
  });

  it('turns a p99 of 600 ms into Critical Latency Spike’s command, with the other policies reported', async () => {
    const { config, topic } = await privatePipeline();
    await startDetector(config, { reemitEveryMs: 5000 });
    await startDiagnoser(config);
    await startEvaluator(config);

    const samples: MetricSample[] = [];
    for (let i = 0; i < 20; i++) samples.push(...healthy('payments', T0 + i * 1000));
    // A fault that lasts (the default policies hold for: 10s): 600 ms from 20 s to 32 s.
    for (let at = T0 + 20_000; at <= T0 + 32_000; at += 1000)
      samples.push(
        {
          component: 'payments',
          metric: 'latency_p99',
          value: 600,
          timestamp: at,
          labels: { version: 'v1' },
        },
        {
          component: 'payments',
          metric: 'error_rate',
          value: 0.2,
          timestamp: at,
          labels: { version: 'v1' },
        },
        {
          component: 'payments',
          metric: 'throughput',
          value: 250,
          timestamp: at,
          labels: { version: 'v1' },
        },
      );
    await publish(topic('metrics'), samples);

    const events = await waitForRecords<ReliabilityEvent>(
      topic('reliability-events'),
      'ReliabilityEvent',
      (e) => e.length >= 1,
    );
    expect(events[0]).toMatchObject({ component: 'payments', kind: 'ANOMALY' });
    const diagnoses = await waitForRecords<Diagnosis>(
      topic('diagnoses'),
      'Diagnosis',
      (d) => d.length >= 1,
    );
    expect(diagnoses[0]?.incidentId).toBe(events[0]?.incidentId);
    const decisions = await waitForRecords<HealingDecision>(
      topic('healing-decisions'),
      'HealingDecision',
      (d) => d.some((x) => x.verdict === 'DISPATCHED'),
    );
    const dispatched = decisions.find((d) => d.verdict === 'DISPATCHED') as HealingDecision;
    expect(dispatched.policy).toBe('Critical Latency Spike');
    expect(dispatched.decidedAt).toBeGreaterThanOrEqual(T0 + 30_000); // held 10 s first
    expect(decisions[0]?.reason).toContain('held: condition true for 0s of 10s');
    const others = dispatched.evaluated.filter((e) => e.policy !== 'Critical Latency Spike');
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((e) => e.reason.length > 0)).toBe(true);
    const commands = await waitForRecords<HealingCommand>(
      topic('healing-commands'),
      'HealingCommand',
      (c) => c.length >= 1,
    );
    expect(commands[0]).toMatchObject({
      component: 'payments',
      policy: { name: 'Critical Latency Spike', priority: 10 },
      mode: 'ENFORCE',
    });
    expect(commands[0]?.actions.map((a) => a.name)).toEqual(['restart-service', 'alert-oncall']);
    expect(commands[0]?.commandId).toBe(dispatched.commandId);
  });
});
