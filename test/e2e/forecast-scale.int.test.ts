import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { MetricSample } from '@healstream/contracts';
import { freePort } from '@healstream/fleet';
import { testKafka, testSerde } from '../support/kafka.js';
import { privatePipeline } from '../support/pipeline.js';
import { steadyPublisher } from '../support/full-pipeline.js';
import { pipelineUnderTest } from '../support/pipeline-under-test.js';

const PREDICTIVE = 'Pre-emptive Scale Up On CPU Trend';
const SCALE_DOWN = 'Scale Down When Under-used';
const repo = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;

/** The shipped pre-emptive scale-up, and the shipped scale-down with a hold a test can wait for. */
function policiesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'healstream-e2e-policies-'));
  copyFileSync(repo('policies/examples/predictive-scale-up.yaml'), join(dir, 'predictive.yaml'));
  writeFileSync(
    join(dir, 'scale-down.yaml'),
    `- name: ${SCALE_DOWN}
  conditions:
    - anomaly: replicas
    - { metric: cpu_util, operator: lt, threshold: 0.3 }
    - { metric: error_rate, operator: lt, threshold: 0.05 }
  actions:
    - name: scale-down
      params: { replicas: 1 }
  priority: 2
  cooldown_seconds: 60
  for: 3s
`,
  );
  return dir;
}

/**
 * The recorded past of a CPU surge building up: flat at 35 %, then +0.11 % a second, one scrape
 * every 5 s, ending at 87 %: it never reaches 90 %. The virtual clock ends `endsAgoMs` before
 * now, so the real-time samples that follow continue it.
 */
function ramp(component: string, endsAgoMs: number): MetricSample[] {
  const seconds = 660;
  const t0 = Date.now() - endsAgoMs - seconds * 1000;
  const out: MetricSample[] = [];
  for (let s = 0; s <= seconds; s += 5) {
    const cpu = (s < 180 ? 0.35 : 0.35 + 0.0011 * (s - 180)) + (((s / 5) * 7) % 5) / 1000;
    const at = t0 + s * 1000;
    for (const [metric, value] of [
      ['cpu_util', cpu],
      ['throughput', 400 + s],
      ['error_rate', 0.002],
      ['replicas', 1],
    ] as const)
      out.push({ component, metric, value, timestamp: at, labels: {} });
  }
  return out;
}

async function publish(topic: string, samples: MetricSample[]): Promise<void> {
  const serde = testSerde();
  await serde.registerTopic(topic, 'MetricSample');
  const producer = testKafka().producer();
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

describe('healing over time: a forecast scales up early, scale-down gives it back', () => {
  it('scales up on a CPU ramp before 90 % is crossed, then back to the normal size once idle', async () => {
    const { config, topic } = await privatePipeline();
    const memberPort = await freePort();
    const componentsYaml = `components:
  search:
    executor: process
    target: search
    allowed_actions: [restart-service, scale-up, scale-down, alert-oncall]
    health_check: { url: "http://127.0.0.1:${memberPort}/healthz" }
    bounds: { max_replicas: 3, min_replicas: 1 }
`;
    const { supervisor, watch } = await pipelineUnderTest(config, topic, {
      components: componentsYaml,
      members: ['search'],
      detector: { reemitEveryMs: 1000 },
      env: {
        POLICIES_DIR: policiesDir(),
        // The ramp is replayed from the past: its command's deadline must still lie ahead.
        COMMAND_TIMEOUT_MS: '900000',
        VERIFY_WINDOW_MS: '8000',
        VERIFY_INTERVAL_MS: '300',
        VERIFY_HEALTHY_CHECKS: '2',
      },
      watch: ['commands', 'outcomes', 'decisions', 'diagnoses'],
    });
    const { commands, outcomes, decisions, diagnoses } = watch;
    const running = () =>
      supervisor.component('search').instances.filter((i) => i.state === 'running').length;

    // 1. Eleven minutes of a CPU ramp that stays under 90 %, on the virtual clock.
    const history = ramp('search', 5000);
    expect(
      Math.max(...history.filter((s) => s.metric === 'cpu_util').map((s) => s.value)),
    ).toBeLessThan(0.89);
    await publish(topic('metrics'), history);
    // waitFor gives every record so far: each step picks its own out of them.
    const scaleUp = (
      await commands.waitFor('the pre-emptive scale-up', (c) =>
        c.some((x) => x.policy.name === PREDICTIVE),
      )
    ).find((x) => x.policy.name === PREDICTIVE);
    expect(scaleUp?.actions.map((a) => a.name)).toEqual(['scale-up']);
    // The decision and the diagnosis it read come on their own topics, maybe after the command.
    const dispatched = (
      await decisions.waitFor('the scale-up decision', (d) =>
        d.some((x) => x.commandId === scaleUp?.commandId),
      )
    ).find((d) => d.commandId === scaleUp?.commandId);
    const decidedOn = (
      await diagnoses.waitFor('the diagnosis it decided on', (d) =>
        d.some((x) => x.eventId === dispatched?.eventId),
      )
    ).find((d) => d.eventId === dispatched?.eventId);
    const cpuThen = decidedOn?.snapshot.find((r) => r.metric === 'cpu_util')?.value ?? 1;
    expect(cpuThen).toBeLessThan(0.9);
    expect(decidedOn?.anomalies.map((a) => a.detector)).toEqual(['forecast']);
    const forecast = decidedOn?.forecasts.find(
      (f) => f.metric === 'cpu_util' && f.horizonSeconds === 300,
    );
    expect(forecast?.lower).toBeGreaterThan(0.9);

    const up = (
      await outcomes.waitFor('the scale-up outcome', (o) =>
        o.some((x) => x.commandId === scaleUp?.commandId),
      )
    ).find((x) => x.commandId === scaleUp?.commandId);
    expect(up?.actions[0]?.status).toBe('SUCCEEDED');
    expect(running()).toBe(2);

    // 2. The surge is over: the two instances idle; they report how many they are.
    const metrics = await steadyPublisher(topic('metrics'), {
      search: { cpu_util: 0.08, throughput: 200, error_rate: 0.002, replicas: running() },
    });
    const replicas = setInterval(() => metrics.set('search', { replicas: running() }), 250);
    onTestFinished(() => clearInterval(replicas));
    const scaleDown = (
      await commands.waitFor(
        'the scale-down',
        (c) => c.some((x) => x.policy.name === SCALE_DOWN),
        90_000,
      )
    ).find((x) => x.policy.name === SCALE_DOWN);
    // The same incident: it stayed open while the component ran above its normal size.
    expect(scaleDown?.incidentId).toBe(scaleUp?.incidentId);
    expect(scaleDown?.actions.map((a) => a.name)).toEqual(['scale-down']);
    const down = (
      await outcomes.waitFor('the scale-down outcome', (o) =>
        o.some((x) => x.commandId === scaleDown?.commandId),
      )
    ).find((x) => x.commandId === scaleDown?.commandId);
    expect(down?.actions[0]?.status).toBe('SUCCEEDED');
    expect(down?.verification).toBe('RECOVERED');
    const story = () =>
      JSON.stringify({
        commands: commands.items.map((c) => [c.policy.name, c.actions.map((a) => a.name)]),
        outcomes: outcomes.items.map((o) => [
          o.policy,
          o.actions.map((a) => `${a.name} ${a.status} ${a.detail ?? ''}`),
        ]),
        instances: supervisor.component('search').instances.map((i) => i.state),
      });
    expect(running(), `after the scale-down: ${story()}`).toBe(1);
    await decisions.waitFor('the incident to resolve at its normal size', (d) =>
      d.some((x) => x.incidentId === scaleUp?.incidentId && x.verdict === 'RESOLVED'),
    );
    // Given back once, never below min_replicas.
    expect(commands.items.filter((c) => c.policy.name === SCALE_DOWN)).toHaveLength(1);
    expect(running(), `after the incident resolved: ${story()}`).toBe(1);
  });
});
