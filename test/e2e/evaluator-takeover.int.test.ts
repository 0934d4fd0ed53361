import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  outcomeFor,
  type Diagnosis,
  type HealingCommand,
  type HealingDecision,
  type HealingOutcome,
  type MetricSample,
} from '@healstream/contracts';
import { testKafka, testSerde } from '../support/kafka.js';
import { privatePipeline } from '../support/pipeline.js';
import { watchTopic } from '../support/records.js';
import { startDetector, startDiagnoser } from '../support/services.js';
import { readiness, spawnServiceProcess, waitUntil } from '../support/subprocess.js';

const COMPONENTS = 50;
const ROUNDS = 100; // 50 components × 100 rounds × 2 metrics = 10,000 samples
const ANOMALOUS_FROM = 30;
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const COOLDOWN_MS = 300_000; // the default policies' cooldown

function round(r: number): MetricSample[] {
  const at = T0 + r * 1000;
  return Array.from({ length: COMPONENTS }, (_, c) => `svc-${String(c).padStart(2, '0')}`).flatMap(
    (component) => [
      {
        component,
        metric: 'latency_p99',
        value: r >= ANOMALOUS_FROM ? 600 + (r % 5) : 120 + (r % 5),
        timestamp: at,
        labels: {},
      },
      { component, metric: 'error_rate', value: 0.01, timestamp: at, labels: {} },
    ],
  );
}

describe('policy-evaluator takeover after kill -9', () => {
  it('loses no decision, duplicates no command and keeps cooldowns when a second instance takes over', async () => {
    const { config, topic } = await privatePipeline({ partitions: 6 });
    await startDetector(config, { reemitEveryMs: 5000 });
    await startDiagnoser(config);
    // The fleet of this test, so every command is validated as in production.
    const componentsFile = join(
      mkdtempSync(join(tmpdir(), 'healstream-takeover-')),
      'components.yaml',
    );
    const fleet = Array.from(
      { length: COMPONENTS },
      (_, c) =>
        `  svc-${String(c).padStart(2, '0')}:\n    executor: process\n    target: svc\n    allowed_actions: [restart-service, alert-oncall, scale-up, enable-circuit-breaker, fallback-mode]\n`,
    );
    writeFileSync(componentsFile, `components:\n${fleet.join('')}`);
    // The fleet budget is not this test's subject: with the default policies' 10 s hold every
    // component dispatches in the same few seconds, and the per-partition share of 60/min
    // would push some past the end of the stream.
    const evaluatorEnv = {
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      COMPONENTS_FILE: componentsFile,
      FLEET_PER_MINUTE: '600',
    };
    const a = spawnServiceProcess('policy-evaluator', config, evaluatorEnv);
    const b = spawnServiceProcess('policy-evaluator', config, evaluatorEnv);
    await waitUntil('both evaluators ready with partitions', async () => {
      const [ra, rb] = await Promise.all([readiness(a.port), readiness(b.port)]);
      return (
        ra.ready &&
        rb.ready &&
        ra.partitions.length > 0 &&
        rb.partitions.length > 0 &&
        ra.partitions.length + rb.partitions.length === 6
      );
    });

    const kafka = testKafka();
    const serde = testSerde();
    await serde.registerTopic(topic('metrics'), 'MetricSample');
    await serde.registerTopic(topic('healing-outcomes'), 'HealingOutcome');
    const producer = kafka.producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());

    // A stand-in executor: every command recovers, so cooldowns (not in-flight) gate the next step.
    const executor = kafka.consumer({ groupId: `executor-${Math.random()}`, maxWaitTimeInMs: 100 });
    await executor.connect();
    await executor.subscribe({ topic: topic('healing-commands'), fromBeginning: true });
    onTestFinished(() => executor.disconnect());
    await executor.run({
      eachMessage: async ({ message }) => {
        const command = await serde.decode<HealingCommand>(message.value, 'HealingCommand');
        const outcome: HealingOutcome = outcomeFor(command, {
          actions: command.actions.map((a) => ({
            name: a.name,
            status: 'SUCCEEDED',
            durationMs: 10,
            error: null,
            detail: null,
          })),
          verification: 'RECOVERED',
          verificationDetail: 'stand-in executor',
          startedAt: command.issuedAt,
          finishedAt: command.issuedAt + 100,
        });
        await producer.send({
          topic: topic('healing-outcomes'),
          messages: [
            { key: command.component, value: serde.encode(topic('healing-outcomes'), outcome) },
          ],
        });
      },
    });

    const diagnoses = await watchTopic<Diagnosis>(topic('diagnoses'), 'Diagnosis');
    const decisions = await watchTopic<HealingDecision>(
      topic('healing-decisions'),
      'HealingDecision',
    );
    const commands = await watchTopic<HealingCommand>(topic('healing-commands'), 'HealingCommand');
    onTestFinished(async () => {
      await Promise.all([diagnoses.stop(), decisions.stop(), commands.stop()]);
    });

    let killedAt = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const samples = round(r);
      await producer.send({
        topic: topic('metrics'),
        messages: samples.map((s) => ({
          key: s.component,
          value: serde.encode(topic('metrics'), s),
          timestamp: String(s.timestamp),
        })),
      });
      if (r === ANOMALOUS_FROM + 10) {
        await decisions.waitFor('decisions to flow', (d) => d.length > 0);
        a.child.kill('SIGKILL');
        killedAt = Date.now();
      }
      await sleep(50);
    }

    await waitUntil('the survivor to own every partition', async () => {
      const rb = await readiness(b.port);
      return rb.ready && rb.partitions.length === 6;
    }).catch((error: unknown) => {
      console.log(b.lines.slice(-40).join('\n'));
      throw error;
    });
    const takeoverMs = Date.now() - killedAt;
    console.log(
      `[takeover] survivor owned all partitions ${takeoverMs} ms after kill -9 (session timeout 6000 ms)`,
    );

    // Every diagnosis gets exactly one decision: none lost, none doubled.
    await decisions.waitFor(
      'a decision for every diagnosis',
      (d) => diagnoses.items.length > 0 && d.length >= diagnoses.items.length,
      90_000,
    );
    await sleep(2000);
    const decisionIds = decisions.items.map((d) => d.decisionId);
    expect(new Set(decisionIds).size).toBe(decisionIds.length);
    expect(decisions.items.length).toBe(diagnoses.items.length);
    expect(new Set(decisions.items.map((d) => d.eventId))).toEqual(
      new Set(diagnoses.items.map((d) => d.eventId)),
    );

    // No duplicate command, and no policy twice on one component inside its cooldown.
    const commandIds = commands.items.map((c) => c.commandId);
    expect(new Set(commandIds).size).toBe(commandIds.length);
    const byKey = new Map<string, number[]>();
    for (const c of commands.items)
      byKey.set(`${c.component}/${c.policy.name}`, [
        ...(byKey.get(`${c.component}/${c.policy.name}`) ?? []),
        c.issuedAt,
      ]);
    for (const [key, times] of byKey) {
      times.sort((x, y) => x - y);
      for (let i = 1; i < times.length; i++)
        expect((times[i] as number) - (times[i - 1] as number), key).toBeGreaterThanOrEqual(
          COOLDOWN_MS,
        );
    }
    // Every component was healed at least once, by the most urgent matching policy first.
    const verdicts = decisions.items.reduce<Record<string, number>>(
      (n, d) => ({ ...n, [d.verdict]: (n[d.verdict] ?? 0) + 1 }),
      {},
    );
    console.log(
      `[takeover] ${diagnoses.items.length} diagnoses, ${commands.items.length} commands, verdicts ${JSON.stringify(verdicts)}`,
    );
    const healed = new Set(
      commands.items
        .filter((c) => c.policy.name === 'Critical Latency Spike')
        .map((c) => c.component),
    );
    expect(healed.size).toBe(COMPONENTS);
    expect(await a.exited).toBeNull();
  });
});
