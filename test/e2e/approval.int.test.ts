import { setTimeout as sleep } from 'node:timers/promises';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Diagnosis, HealingDecision } from '@healstream/contracts';
import type { BaseEnv } from '@healstream/runtime';
import { consoleStoreFile, startTestConsole, TEST_CONSOLE_TOKEN } from '../support/console.js';
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

/** Each policy acts on its own components, so one pipeline holds every case. */
const POLICIES = `
- name: Roll back
  selector: { components: [ask-*] }
  conditions: [{ metric: error_rate, operator: gt, threshold: 0.1 }]
  actions: [rollback-deployment]
  approval: { timeout: 1h, on_timeout: escalate }
- name: Roll back or escalate
  selector: { components: [late-escalate] }
  conditions: [{ metric: error_rate, operator: gt, threshold: 0.1 }]
  actions: [rollback-deployment]
  approval: { timeout: 3s, on_timeout: escalate }
- name: Roll back anyway
  selector: { components: [late-run] }
  conditions: [{ metric: error_rate, operator: gt, threshold: 0.1 }]
  actions: [rollback-deployment]
  approval: { timeout: 3s, on_timeout: run }
- name: Old restart
  selector: { components: [set-*] }
  conditions: [{ metric: error_rate, operator: gt, threshold: 0.1 }]
  actions: [restart-service]
  cooldown_seconds: 0
`;
const NEW_POLICY = `
- name: New scale-up
  selector: { components: [set-*] }
  conditions: [{ metric: error_rate, operator: gt, threshold: 0.1 }]
  actions: [scale-up]
  cooldown_seconds: 0
`;
const FLEET = [
  'ask-approve',
  'ask-deny',
  'ask-crash',
  'late-escalate',
  'late-run',
  // A round of each phase on components of its own: the earlier round's commands stay in flight.
  ...['before', 'refused', 'after'].flatMap((tag) =>
    Array.from({ length: 6 }, (_, i) => `set-${tag}-${i}`),
  ),
];
const COMPONENTS = `components:\n${FLEET.map(
  (c) =>
    `  ${c}:\n    executor: process\n    target: ${c}\n    allowed_actions: [rollback-deployment, restart-service, scale-up]\n`,
).join('')}`;

interface Harness {
  config: Readonly<BaseEnv>;
  dir: string;
  decisions: PipelineWatchers['decisions'];
  commands: PipelineWatchers['commands'];
  requests: PipelineWatchers['requests'];
  evaluator(): ServiceChild;
  diagnose(component: string, incidentId: string): Promise<void>;
  cli(...args: string[]): Promise<{ code: number | null; lines: string[] }>;
}

async function harness(partitions: number): Promise<Harness> {
  const { config, topic } = await privatePipeline({ partitions });
  const dir = mkdtempSync(join(tmpdir(), 'healstream-approval-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'policies.yaml'), POLICIES);
  writeFileSync(join(dir, 'components.yaml'), COMPONENTS);
  const kafka = testKafka();
  const serde = testSerde();
  await serde.registerTopic(topic('diagnoses'), 'Diagnosis');
  const producer = kafka.producer();
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  const { decisions, commands, requests } = await watchPipeline(topic, [
    'decisions',
    'commands',
    'requests',
  ]);
  let n = 0;
  return {
    config,
    dir,
    decisions,
    commands,
    requests,
    evaluator: () =>
      spawnServiceProcess('policy-evaluator', config, {
        POLICIES_DIR: join(dir, 'policies'),
        COMPONENTS_FILE: join(dir, 'components.yaml'),
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        LOG_LEVEL: 'info',
      }),
    async diagnose(component, incidentId) {
      // Event time is the wall clock here, as the control records' createdAt is.
      const at = Date.now();
      const diagnosis: Diagnosis = {
        eventId: `ev-${incidentId}-${at}-${n++}`,
        incidentId,
        component,
        kind: 'ANOMALY',
        severity: 'CRITICAL',
        detectedAt: at,
        diagnosedAt: at,
        snapshot: [{ metric: 'error_rate', value: 0.5, observedAt: at }],
        anomalies: [],
        labels: {},
        causes: [],
        forecasts: [],
      };
      await producer.send({
        topic: topic('diagnoses'),
        messages: [{ key: component, value: serde.encode(topic('diagnoses'), diagnosis) }],
      });
    },
    async cli(...args) {
      const run = spawnPipelineProcess('cli', ['packages/cli/src/main.ts', ...args], config, {
        USER: 'tester',
      });
      return { code: await run.exited, lines: run.lines };
    },
  };
}

async function ready(children: ServiceChild[], partitions: number) {
  await waitUntil(
    'the evaluators to own every partition',
    async () => {
      const r = await Promise.all(children.map((c) => readiness(c.port)));
      return (
        r.every((x) => x.ready && x.partitions.length > 0) &&
        r.reduce((n, x) => n + x.partitions.length, 0) === partitions
      );
    },
    90_000,
  );
}

const of = (items: HealingDecision[], incidentId: string) =>
  items.filter((d) => d.incidentId === incidentId);
const verdicts = (items: HealingDecision[], incidentId: string) =>
  of(items, incidentId).map((d) => d.verdict);

async function pendingCommand(h: Harness, component: string, incidentId: string) {
  await h.diagnose(component, incidentId);
  await h.decisions.waitFor(`${incidentId} pending`, (d) =>
    of(d, incidentId).some((x) => x.verdict === 'PENDING_APPROVAL'),
  );
  return of(h.decisions.items, incidentId).find((d) => d.verdict === 'PENDING_APPROVAL')
    ?.commandId as string;
}

describe('approval for risky actions, the evaluator running as a process', () => {
  it('waits in PENDING_APPROVAL; approve runs it once, deny runs nothing and pages, a timeout escalates or runs', async () => {
    const h = await harness(2);
    await ready([h.evaluator()], 2);

    // Approve: the command goes out once, however often the approval is repeated.
    const approveId = await pendingCommand(h, 'ask-approve', 'inc-approve');
    expect(h.commands.items.filter((c) => c.commandId === approveId)).toEqual([]);
    const asked = await h.requests.waitFor('the approval page', (r) =>
      r.some((e) => e.source === 'APPROVAL_REQUESTED' && e.incidentId === 'inc-approve'),
    );
    const page = asked.find((e) => e.incidentId === 'inc-approve');
    expect(page?.summary).toContain(`healstream approve ${approveId}`);
    expect(page?.details).toContain(`healstream deny ${approveId} --reason`);
    await h.diagnose('ask-approve', 'inc-approve'); // a re-emission while it waits
    await h.decisions.waitFor(
      'a second PENDING_APPROVAL',
      (d) => verdicts(d, 'inc-approve').filter((v) => v === 'PENDING_APPROVAL').length === 2,
    );
    expect((await h.cli('approve', approveId, '--author', 'alice')).code).toBe(0);
    await h.commands.waitFor('the approved command', (c) =>
      c.some((x) => x.commandId === approveId),
    );
    expect((await h.cli('approve', approveId, '--author', 'bob')).code).toBe(0);

    // Deny: nothing runs, a page says who and why…
    const denyId = await pendingCommand(h, 'ask-deny', 'inc-deny');
    // …answered over the console's HTTP endpoint this time: the token is required.
    const web = await startTestConsole(h.config, consoleStoreFile());
    const body = JSON.stringify({ approved: false, author: 'carol', reason: 'peak traffic' });
    const post = (headers: Record<string, string>) =>
      fetch(`${web.url}/api/approvals/${denyId}`, { method: 'POST', headers, body });
    expect((await post({ 'content-type': 'application/json' })).status).toBe(401);
    expect(
      (
        await post({
          'content-type': 'application/json',
          authorization: 'Bearer wrong-token-0123456789',
        })
      ).status,
    ).toBe(401);
    const answered = await post({
      'content-type': 'application/json',
      authorization: `Bearer ${TEST_CONSOLE_TOKEN}`,
    });
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({
      commandId: denyId,
      approved: false,
      partitions: 2,
    });
    await h.requests.waitFor('the denial page', (r) =>
      r.some((e) => e.source === 'APPROVAL_DENIED' && e.incidentId === 'inc-deny'),
    );
    const denial = of(h.decisions.items, 'inc-deny').find((d) => d.verdict === 'DENIED');
    expect(denial?.reason).toContain('denied by carol');
    expect(denial?.reason).toContain('peak traffic');

    // Timeouts: nobody answers within 3 s; the next diagnosis of the incident settles it.
    const escalateId = await pendingCommand(h, 'late-escalate', 'inc-late-escalate');
    const runId = await pendingCommand(h, 'late-run', 'inc-late-run');
    await sleep(3500);
    await h.diagnose('late-escalate', 'inc-late-escalate');
    await h.diagnose('late-run', 'inc-late-run');
    await h.decisions.waitFor(
      'both timeouts settled',
      (d) =>
        verdicts(d, 'inc-late-escalate').includes('ESCALATE') &&
        verdicts(d, 'inc-late-run').includes('DISPATCHED'),
    );
    await h.requests.waitFor('the timeout page', (r) =>
      r.some((e) => e.source === 'APPROVAL_DENIED' && e.incidentId === 'inc-late-escalate'),
    );

    await sleep(3000); // room for a duplicate to show up, if there were one
    const sent = (id: string) => h.commands.items.filter((c) => c.commandId === id).length;
    expect(sent(approveId)).toBe(1);
    expect(sent(denyId)).toBe(0);
    expect(sent(escalateId)).toBe(0);
    expect(sent(runId)).toBe(1);
    expect(verdicts(h.decisions.items, 'inc-approve').filter((v) => v === 'APPROVED')).toHaveLength(
      1,
    );
    const approved = of(h.decisions.items, 'inc-approve').find((d) => d.verdict === 'APPROVED');
    expect(approved?.reason).toMatch(/approved by alice at \d{4}-\d\d-\d\dT/);
  });

  it('a kill -9 while an approval waits: the next owner still counts the approval, once', async () => {
    const h = await harness(2);
    const first = h.evaluator();
    await ready([first], 2);
    const id = await pendingCommand(h, 'ask-crash', 'inc-crash');
    first.child.kill('SIGKILL');
    await first.exited;
    // Answered while no evaluator runs: the record waits on the control topic.
    expect((await h.cli('approve', id, '--author', 'dave')).code).toBe(0);
    const second = h.evaluator();
    await ready([second], 2);
    await h.commands.waitFor('the approved command after takeover', (c) =>
      c.some((x) => x.commandId === id),
    );
    await h.diagnose('ask-crash', 'inc-crash');
    await h.decisions.waitFor('the step after', (d) => of(d, 'inc-crash').length >= 3);
    await sleep(2000);
    expect(h.commands.items.filter((c) => c.commandId === id)).toHaveLength(1);
    expect(verdicts(h.decisions.items, 'inc-crash')).toEqual([
      'PENDING_APPROVAL',
      'APPROVED',
      'SKIPPED_IN_FLIGHT',
    ]);
  });

  it('policies apply: a bad file is refused and the old set decides; a good one switches every instance at the same offset', async () => {
    const h = await harness(2);
    const a = h.evaluator();
    const b = h.evaluator();
    await ready([a, b], 2);
    const policyOf = (incidentId: string) =>
      of(h.decisions.items, incidentId).find((d) => d.verdict === 'DISPATCHED')?.policy;
    const round = async (tag: string) => {
      for (let i = 0; i < 6; i++) await h.diagnose(`set-${tag}-${i}`, `inc-${tag}-${i}`);
      await h.decisions.waitFor(`round ${tag}`, (d) =>
        Array.from({ length: 6 }, (_, i) => `inc-${tag}-${i}`).every((id) =>
          of(d, id).some((x) => x.verdict === 'DISPATCHED'),
        ),
      );
      return Array.from({ length: 6 }, (_, i) => policyOf(`inc-${tag}-${i}`));
    };
    expect(new Set(await round('before'))).toEqual(new Set(['Old restart']));

    // One bad file (a mis-indented key on line 5): refused with its line, nothing published.
    const bad = join(h.dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'a.yaml'), NEW_POLICY);
    writeFileSync(
      join(bad, 'b.yaml'),
      '- name: x\n  conditions:\n    - metric: error_rate\n      threshold: 5\n     operator: gt\n  actions: [restart-service]\n',
    );
    const refused = await h.cli(
      'policies',
      'apply',
      bad,
      '--components',
      join(h.dir, 'components.yaml'),
    );
    expect(refused.code).toBe(1);
    expect(refused.lines.join('\n')).toMatch(/b\.yaml:5:\d+: YAML syntax error/);
    expect(refused.lines.join('\n')).toContain('nothing published');
    expect(new Set(await round('refused'))).toEqual(new Set(['Old restart']));

    const good = join(h.dir, 'good');
    mkdirSync(good);
    writeFileSync(join(good, 'a.yaml'), NEW_POLICY);
    const applied = await h.cli(
      'policies',
      'apply',
      good,
      '--components',
      join(h.dir, 'components.yaml'),
      '--author',
      'erin',
    );
    expect(applied.code).toBe(0);
    expect(applied.lines.join('\n')).toContain('published policy set v1');
    const switched = (c: ServiceChild, version: number) =>
      c.lines
        .filter((l) => l.includes(`switched to policy set v${version}`))
        .map((l) => JSON.parse(l) as { partition: number; offset: string });
    await waitUntil(
      'both instances switched',
      () => switched(a, 1).length + switched(b, 1).length === 2,
    );
    const points = [...switched(a, 1), ...switched(b, 1)];
    expect(switched(a, 1)).toHaveLength(1);
    expect(switched(b, 1)).toHaveLength(1);
    expect(new Set(points.map((p) => p.partition))).toEqual(new Set([0, 1]));
    expect(new Set(points.map((p) => p.offset)).size).toBe(1);
    expect(new Set(await round('after'))).toEqual(new Set(['New scale-up']));

    // Roll back to v1: published again as v2, every instance switches once more.
    expect((await h.cli('policies', 'rollback', '1', '--author', 'erin')).code).toBe(0);
    await waitUntil(
      'both instances on v2',
      () => switched(a, 2).length + switched(b, 2).length === 2,
    );

    const history = await h.cli('policies', 'history', '--json');
    expect(history.code).toBe(0);
    const versions = JSON.parse(history.lines.find((l) => l.startsWith('[')) ?? '[]') as {
      version: number;
      author: string;
      summary: string;
    }[];
    expect(versions.map((v) => [v.version, v.author, v.summary])).toEqual([
      [1, 'erin', '+New scale-up, +components'],
      [2, 'erin', 'no change'],
    ]);
  });
});
