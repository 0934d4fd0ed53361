import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  outcomeFor,
  type Diagnosis,
  type HealingCommand,
  type HealingDecision,
} from '@healstream/contracts';
import type { BaseEnv } from '@healstream/runtime';
import { consoleStoreFile, startTestConsole } from '../support/console.js';
import { testKafka, testSerde } from '../support/kafka.js';
import { privatePipeline } from '../support/pipeline.js';
import { watchPipeline, type PipelineWatchers } from '../support/pipeline-under-test.js';
import {
  readiness,
  spawnPipelineProcess,
  spawnServiceProcess,
  waitUntil,
  type ServiceChild,
} from '../support/subprocess.js';

const PARTITIONS = 3;
const MINUTE = 60_000;

/** Two policies on latency, no hold and no cooldown, so each step can act: the ladder is the subject. */
const POLICIES = `
- name: Restart
  conditions: [{ metric: latency_p99, operator: gt, threshold: 500 }]
  actions: [restart-service]
  priority: 8
  cooldown_seconds: 0
- name: Scale
  conditions: [{ metric: latency_p99, operator: gt, threshold: 500 }]
  actions: [scale-up]
  priority: 5
  cooldown_seconds: 0
`;
const COMPONENTS = `components:
${['payments', 'orders', 'search']
  .map(
    (c) =>
      `  ${c}:\n    executor: process\n    target: ${c}\n    allowed_actions: [restart-service, scale-up]\n    oncall: { team: ${c === 'payments' ? 'money' : 'shop'}, route: ${c} }\n`,
  )
  .join('')}`;

interface Harness {
  config: Readonly<BaseEnv>;
  evaluator: ServiceChild;
  decisions: PipelineWatchers['decisions'];
  commands: PipelineWatchers['commands'];
  requests: PipelineWatchers['requests'];
  diagnose(component: string, incidentId: string, at: number): Promise<Diagnosis>;
  outcome(command: HealingCommand, verification: 'RECOVERED' | 'NOT_RECOVERED'): Promise<void>;
  /** Runs the real CLI as a process; resolves once it exits 0. */
  cli(...args: string[]): Promise<string[]>;
  /** Waits until every evaluator partition has logged applying this control record. */
  applied(controlId: string, times?: number): Promise<void>;
}

async function harness(): Promise<Harness> {
  const { config, topic } = await privatePipeline({ partitions: PARTITIONS });
  const dir = mkdtempSync(join(tmpdir(), 'healstream-control-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'policies.yaml'), POLICIES);
  writeFileSync(join(dir, 'components.yaml'), COMPONENTS);
  const evaluator = spawnServiceProcess('policy-evaluator', config, {
    POLICIES_DIR: join(dir, 'policies'),
    COMPONENTS_FILE: join(dir, 'components.yaml'),
    LOG_LEVEL: 'info',
  });
  await waitUntil('the evaluator to own every partition', async () => {
    if (evaluator.child.exitCode !== null) throw new Error('the evaluator exited');
    const r = await readiness(evaluator.port);
    return r.ready && r.partitions.length === PARTITIONS;
  }).catch((error: unknown) => {
    console.log(evaluator.lines.slice(-30).join('\n'));
    throw error;
  });
  const kafka = testKafka();
  const serde = testSerde();
  await serde.registerTopic(topic('diagnoses'), 'Diagnosis');
  await serde.registerTopic(topic('healing-outcomes'), 'HealingOutcome');
  const producer = kafka.producer();
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  const { decisions, commands, requests } = await watchPipeline(topic, [
    'decisions',
    'commands',
    'requests',
  ]);
  return {
    config,
    evaluator,
    decisions,
    commands,
    requests,
    async diagnose(component, incidentId, at) {
      const diagnosis: Diagnosis = {
        eventId: `ev-${incidentId}-${at}`,
        incidentId,
        component,
        kind: 'ANOMALY',
        severity: 'CRITICAL',
        detectedAt: at,
        diagnosedAt: at,
        snapshot: [{ metric: 'latency_p99', value: 900, observedAt: at }],
        anomalies: [],
        labels: {},
        causes: [],
        forecasts: [],
      };
      await producer.send({
        topic: topic('diagnoses'),
        messages: [{ key: component, value: serde.encode(topic('diagnoses'), diagnosis) }],
      });
      return diagnosis;
    },
    async outcome(command, verification) {
      const outcome = outcomeFor(command, {
        actions: command.actions.map((a) => ({
          name: a.name,
          status: 'SUCCEEDED',
          durationMs: 5,
          error: null,
          detail: null,
        })),
        verification,
        verificationDetail: 'stand-in executor',
        startedAt: command.issuedAt,
        finishedAt: command.issuedAt + 1000,
      });
      await producer.send({
        topic: topic('healing-outcomes'),
        messages: [
          { key: command.component, value: serde.encode(topic('healing-outcomes'), outcome) },
        ],
      });
      await waitUntil('the outcome to be applied', () =>
        evaluator.lines.some((l) => l.includes(command.commandId) && l.includes('outcome applied')),
      );
    },
    async cli(...args) {
      const run = spawnPipelineProcess('cli', ['packages/cli/src/main.ts', ...args], config, {
        USER: 'tester',
      });
      const code = await run.exited;
      if (code !== 0)
        throw new Error(`healstream ${args.join(' ')} exited ${code}:\n${run.lines.join('\n')}`);
      return run.lines;
    },
    async applied(controlId, times = 1) {
      await waitUntil(`${controlId} applied on every partition`, () => {
        const lines = evaluator.lines.filter(
          (l) => l.includes('control applied') && l.includes(`"controlId":"${controlId}"`),
        );
        return lines.length >= PARTITIONS * times;
      });
    },
  };
}

const forIncident = (items: HealingDecision[], incidentId: string) =>
  items.filter((d) => d.incidentId === incidentId);

describe('operator control, the evaluator running as a process', () => {
  it('an anomaly inside a maintenance window is SKIPPED_MAINTENANCE (and pages); after it, the action runs', async () => {
    const h = await harness();
    const t0 = Date.now();
    await h.cli(
      'maintenance',
      'add',
      '--team',
      'money',
      '--start',
      new Date(t0).toISOString(),
      '--end',
      new Date(t0 + 10 * MINUTE).toISOString(),
      '--comment',
      'database migration',
      '--id',
      'db1',
    );
    await h.applied('maintenance:db1');
    const listed = await h.cli('maintenance', 'list', '--json');
    expect(JSON.parse(listed.find((l) => l.startsWith('[')) ?? '[]')).toMatchObject([
      { controlId: 'maintenance:db1', author: 'tester', comment: 'database migration' },
    ]);

    await h.diagnose('payments', 'inc-mw', t0 + MINUTE);
    const [inside] = await h.decisions.waitFor(
      'the decision inside the window',
      (d) => forIncident(d, 'inc-mw').length >= 1,
    );
    expect(inside?.verdict).toBe('SKIPPED_MAINTENANCE');
    expect(inside?.policy).toBe('Restart');
    expect(inside?.reason).toMatch(
      /^maintenance window maintenance:db1 by tester \(database migration\) covers team money until .*; would run restart-service \(Restart\); page sent$/,
    );
    await h.requests.waitFor('the page of the held action', (r) =>
      r.some((e) => e.incidentId === 'inc-mw'),
    );
    expect(h.requests.items.find((e) => e.incidentId === 'inc-mw')?.source).toBe('UNHANDLED');

    // Another team's component is not covered.
    await h.diagnose('orders', 'inc-other', t0 + MINUTE);
    const other = await h.decisions.waitFor(
      'the other team',
      (d) => forIncident(d, 'inc-other').length >= 1,
    );
    expect(forIncident(other, 'inc-other')[0]?.verdict).toBe('DISPATCHED');

    // The same anomaly after the window (event time): the action runs.
    await h.diagnose('payments', 'inc-mw', t0 + 11 * MINUTE);
    const after = await h.decisions.waitFor(
      'the decision after the window',
      (d) => forIncident(d, 'inc-mw').length >= 2,
    );
    expect(forIncident(after, 'inc-mw')[1]).toMatchObject({
      verdict: 'DISPATCHED',
      policy: 'Restart',
    });
    const cmds = await h.commands.waitFor('the command', (c) =>
      c.some((x) => x.incidentId === 'inc-mw'),
    );
    expect(cmds.filter((c) => c.incidentId === 'inc-mw').map((c) => c.mode)).toEqual(['ENFORCE']);
  });

  it('a pause during an incident makes the next step SHADOW, with the command that would have run; resume acts again', async () => {
    const h = await harness();
    const t0 = Date.now();
    await h.diagnose('orders', 'inc-p', t0);
    await h.commands.waitFor('the first command', (c) => c.some((x) => x.incidentId === 'inc-p'));
    const first = h.commands.items.find((c) => c.incidentId === 'inc-p') as HealingCommand;
    expect(first.policy.name).toBe('Restart');
    await h.outcome(first, 'NOT_RECOVERED');

    await h.cli(
      'pause',
      '--component',
      'orders',
      '--reason',
      'hands off, investigating',
      '--for',
      '30m',
    );
    await h.applied('pause:component=orders');
    await h.diagnose('orders', 'inc-p', t0 + 10_000);
    const paused = await h.decisions.waitFor(
      'the paused step',
      (d) => forIncident(d, 'inc-p').length >= 2,
    );
    const step = forIncident(paused, 'inc-p')[1];
    expect(step?.verdict).toBe('SHADOW');
    expect(step?.policy).toBe('Scale');
    expect(step?.reason).toMatch(
      /^paused by tester \(hands off, investigating\) \(pause:component=orders, component orders until .*\): would run scale-up \(Scale\)$/,
    );
    const shadow = await h.commands.waitFor('the shadow command', (c) =>
      c.some((x) => x.incidentId === 'inc-p' && x.mode === 'SHADOW'),
    );
    expect(shadow.find((x) => x.incidentId === 'inc-p' && x.mode === 'SHADOW')?.commandId).toBe(
      step?.commandId,
    );

    await h.cli('resume', '--component', 'orders');
    await h.applied('pause:component=orders', 2);
    await h.diagnose('orders', 'inc-p', t0 + 20_000);
    const resumed = await h.decisions.waitFor(
      'the step after resume',
      (d) => forIncident(d, 'inc-p').length >= 3,
    );
    expect(forIncident(resumed, 'inc-p')[2]).toMatchObject({
      verdict: 'DISPATCHED',
      policy: 'Scale',
    });
  });

  it('an acknowledged incident gets no further automatic action; the kill switch shows in evaluated', async () => {
    const h = await harness();
    const t0 = Date.now();
    await h.diagnose('search', 'inc-a', t0);
    await h.commands.waitFor('the first command', (c) => c.some((x) => x.incidentId === 'inc-a'));
    await h.outcome(
      h.commands.items.find((c) => c.incidentId === 'inc-a') as HealingCommand,
      'NOT_RECOVERED',
    );

    await h.cli('ack', 'inc-a', '--comment', 'I have this');
    await h.applied('ack:inc-a');
    await h.diagnose('search', 'inc-a', t0 + 10_000);
    await h.diagnose('search', 'inc-a', t0 + 20_000);
    const acked = await h.decisions.waitFor(
      'the acknowledged steps',
      (d) => forIncident(d, 'inc-a').length >= 3,
    );
    for (const d of forIncident(acked, 'inc-a').slice(1)) {
      expect(d.verdict).toBe('SKIPPED_ACKNOWLEDGED');
      expect(d.reason).toMatch(
        /^incident acknowledged by tester \(I have this\) at .*: no further automatic action until it resolves; would run scale-up \(Scale\)$/,
      );
    }

    // The kill switch, on another incident: Restart off at run time, Scale acts, evaluated says who.
    await h.cli('policies', 'disable', 'Restart', '--force', '--comment', 'restarts loop');
    await h.applied('policy:Restart');
    await h.diagnose('search', 'inc-k', t0 + 30_000);
    const killed = await h.decisions.waitFor(
      'the step with Restart disabled',
      (d) => forIncident(d, 'inc-k').length >= 1,
    );
    const decision = forIncident(killed, 'inc-k')[0];
    expect(decision).toMatchObject({ verdict: 'DISPATCHED', policy: 'Scale' });
    expect(decision?.evaluated[0]).toMatchObject({
      policy: 'Restart',
      outcome: 'disabled',
      reason: 'kill switch policy:Restart: disabled by tester (restarts loop)',
    });
    // Only the one command before the acknowledgement went out for inc-a.
    expect(h.commands.items.filter((c) => c.incidentId === 'inc-a')).toHaveLength(1);
  });

  it("acknowledging over the console's authenticated HTTP endpoint stops further action too", async () => {
    const h = await harness();
    const t0 = Date.now();
    const web = await startTestConsole(h.config, consoleStoreFile());
    await h.diagnose('payments', 'inc-h', t0);
    await h.commands.waitFor('the first command', (c) => c.some((x) => x.incidentId === 'inc-h'));
    await h.outcome(
      h.commands.items.find((c) => c.incidentId === 'inc-h') as HealingCommand,
      'NOT_RECOVERED',
    );

    const body = JSON.stringify({ author: 'erin', comment: 'on it' });
    const noToken = await fetch(`${web.url}/api/incidents/inc-h/ack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(noToken.status).toBe(401);
    const noAuthor = await web.api('/api/incidents/inc-h/ack', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noAuthor.status).toBe(400);
    const acked = await web.api('/api/incidents/inc-h/ack', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(acked.status).toBe(200);
    expect(await acked.json()).toMatchObject({
      controlId: 'ack:inc-h',
      author: 'erin',
      partitions: PARTITIONS,
    });
    await h.applied('ack:inc-h');
    await h.diagnose('payments', 'inc-h', t0 + 10_000);
    const after = await h.decisions.waitFor(
      'the acknowledged step',
      (d) => forIncident(d, 'inc-h').length >= 2,
    );
    expect(forIncident(after, 'inc-h')[1]).toMatchObject({ verdict: 'SKIPPED_ACKNOWLEDGED' });
    expect(forIncident(after, 'inc-h')[1]?.reason).toMatch(
      /^incident acknowledged by erin \(on it\)/,
    );
    expect(h.commands.items.filter((c) => c.incidentId === 'inc-h')).toHaveLength(1);
  });
});
