import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Escalation, HealingDecision, MetricSample } from '@healstream/contracts';
import { testKafka, testSerde } from '../support/kafka.js';
import { privatePipeline } from '../support/pipeline.js';
import { watchTopic } from '../support/records.js';
import { startAllServices, tempFile } from '../support/full-pipeline.js';
import { startTestWebhook } from '../support/webhook.js';

const COMPONENTS = 200;
const PARTITIONS = 3;
const FLEET_PER_MINUTE = 30; // 10 per partition

describe('a storm: 200 components failing at once', () => {
  it('dispatches no more than the fleet budget allows and raises exactly one STORM_BREAKER page', async () => {
    const { config, topic } = await privatePipeline({ partitions: PARTITIONS });
    const runbook = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('{}'));
    });
    await new Promise<void>((resolve) => runbook.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => runbook.close(() => resolve())));
    const url = `http://127.0.0.1:${(runbook.address() as { port: number }).port}`;
    const names = Array.from({ length: COMPONENTS }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
    const componentsFile = tempFile(
      'components.yaml',
      `components:\n${names.map((n) => `  ${n}:\n    executor: http\n    target: ${url}/runbook\n    allowed_actions: [restart-service, alert-oncall, scale-up, enable-circuit-breaker, fallback-mode]\n    health_check: { url: "${url}/healthz" }\n`).join('')}`,
    );
    const webhook = await startTestWebhook();
    onTestFinished(() => webhook.close());
    await startAllServices(config, {
      COMPONENTS_FILE: componentsFile,
      WEBHOOK_SECRET: 'storm-test-webhook-secret',
      FLEET_PER_MINUTE: String(FLEET_PER_MINUTE),
      ESCALATOR_WEBHOOK_URL: webhook.url,
      DETECTOR_CONFIG: tempFile(
        'detector.json',
        JSON.stringify({ statistical: { enabled: false } }),
      ),
    });
    const decisions = await watchTopic<HealingDecision>(
      topic('healing-decisions'),
      'HealingDecision',
    );
    const escalations = await watchTopic<Escalation>(topic('escalations'), 'Escalation');
    onTestFinished(async () => {
      await Promise.all([decisions.stop(), escalations.stop()]);
    });

    const serde = testSerde();
    await serde.registerTopic(topic('metrics'), 'MetricSample');
    const producer = testKafka().producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    const now = Date.now();
    // Each component's p99 stays at 700 ms for 10 s (event time): the default policies hold
    // for: 10s, so the first sample is held and the second one acts.
    const samples: MetricSample[] = [0, 10_000].flatMap((dt) =>
      names.map((component) => ({
        component,
        metric: 'latency_p99',
        value: 700,
        timestamp: now + dt,
        labels: {},
      })),
    );
    await producer.send({
      topic: topic('metrics'),
      messages: samples.map((s) => ({
        key: s.component,
        value: serde.encode(topic('metrics'), s),
        timestamp: String(s.timestamp),
      })),
    });

    const acting = (d: HealingDecision) => d.verdict !== 'NO_MATCH';
    await decisions.waitFor(
      'a decision past the hold for every component',
      (d) => new Set(d.filter(acting).map((x) => x.component)).size === COMPONENTS,
      90_000,
    );
    expect(decisions.items.filter((d) => !acting(d)).every((d) => d.reason.includes('held'))).toBe(
      true,
    );
    const dispatched = decisions.items.filter((d) => d.verdict === 'DISPATCHED');
    const limited = decisions.items.filter((d) => d.verdict === 'SKIPPED_RATE_LIMIT');
    expect(dispatched).toHaveLength(FLEET_PER_MINUTE);
    expect(limited).toHaveLength(COMPONENTS - FLEET_PER_MINUTE);
    expect(limited[0]?.evaluated.some((e) => e.outcome === 'rate-limit')).toBe(true);

    await escalations.waitFor(
      'the storm page',
      (e) => e.some((x) => x.source === 'STORM_BREAKER'),
      30_000,
    );
    await sleep(3000); // anything extra would arrive by now
    expect(escalations.items.filter((e) => e.source === 'STORM_BREAKER')).toHaveLength(1);
    expect(
      webhook.accepted().filter((r) => (r.json as Escalation).source === 'STORM_BREAKER'),
    ).toHaveLength(1);
  });
});
