import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Escalation, HealingDecision } from '@healstream/contracts';
import { freePort } from '@healstream/fleet';
import { privateAlertmanager } from '../support/alertmanager.js';
import { privatePipeline } from '../support/pipeline.js';
import { steadyPublisher } from '../support/full-pipeline.js';
import { pipelineUnderTest } from '../support/pipeline-under-test.js';

const SECRET = 'e2e-runbook-secret';
const healthy = { latency_p99: 120, error_rate: 0.01, throughput: 800 };

/** A local HTTP endpoint answering every request with `status`. */
async function fixedServer(status: number): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, hits: () => hits };
}

describe('healstream end to end: five services, a real fleet, a real Alertmanager', () => {
  it('restarts a real process and verifies it, honours the cooldown, and climbs the ladder to a page', async () => {
    const { config, topic } = await privatePipeline();
    // payments: a real member process run by the supervisor. ledger: acted on through a signed
    // webhook to its runbook, with a health check that never passes, so nothing heals it.
    const memberPort = await freePort();
    const runbook = await fixedServer(200);
    const ledgerHealth = await fixedServer(503);
    const componentsYaml = `components:
  payments:
    executor: process
    target: payments
    allowed_actions: [restart-service, scale-up, enable-circuit-breaker, fallback-mode, alert-oncall]
    health_check: { url: "http://127.0.0.1:${memberPort}/healthz" }
  ledger:
    executor: http
    target: ${runbook.url}/runbook
    allowed_actions: [restart-service, scale-up, enable-circuit-breaker, fallback-mode, alert-oncall]
    health_check: { url: "${ledgerHealth.url}/healthz", timeout_ms: 500 }
`;
    const alertmanager = await privateAlertmanager();
    onTestFinished(() => alertmanager.stop());
    const { supervisor, webhook, watch } = await pipelineUnderTest(config, topic, {
      components: componentsYaml,
      members: ['payments'],
      webhook: true,
      env: {
        WEBHOOK_SECRET: SECRET,
        VERIFY_WINDOW_MS: '4000',
        VERIFY_INTERVAL_MS: '300',
        VERIFY_HEALTHY_CHECKS: '2',
        ESCALATOR_ALERTMANAGER_URL: alertmanager.url,
        // Step 2 is about the cooldown: flap damping would pass the restart over first (the
        // same cause re-opens right after a cure). flapping.int.test.ts covers that.
        FLAP_WINDOW_MS: '1',
      },
      watch: ['commands', 'outcomes', 'decisions', 'escalations'],
    });
    const { commands, outcomes, decisions, escalations } = watch;
    const pid = () => supervisor.component('payments').instances[0]?.pid;
    const metrics = await steadyPublisher(topic('metrics'), {
      payments: healthy,
      ledger: { ...healthy, throughput: 100 },
    });
    await sleep(3000);

    // 1. p99 600 ms on payments: Critical Latency Spike restarts the real process and verifies it.
    const pidBefore = pid();
    metrics.set('payments', { latency_p99: 600 });
    const [restart] = await commands.waitFor('the restart command', (c) =>
      c.some((x) => x.component === 'payments'),
    );
    expect(restart?.policy.name).toBe('Critical Latency Spike');
    metrics.set('payments', healthy);
    const [outcome] = await outcomes.waitFor(
      'the restart outcome',
      (o) => o.some((x) => x.commandId === restart?.commandId),
      60_000,
    );
    expect(outcome?.verification).toBe('RECOVERED');
    expect(outcome?.actions.find((a) => a.name === 'restart-service')?.status).toBe('SUCCEEDED');
    expect(pid()).toBeDefined();
    expect(pid()).not.toBe(pidBefore);

    // 2. A second anomaly inside the cooldown: the incident is new, Critical Latency Spike is not chosen again.
    await decisions.waitFor('the first incident to resolve', (d) =>
      d.some((x) => x.component === 'payments' && x.verdict === 'RESOLVED'),
    );
    metrics.set('payments', { latency_p99: 620 });
    const second = await decisions.waitFor('a decision on the second incident', (d) =>
      d.some(
        (x) =>
          x.component === 'payments' &&
          x.incidentId !== restart?.incidentId &&
          x.verdict !== 'RESOLVED',
      ),
    );
    metrics.set('payments', healthy);
    const step = second.find(
      (x) =>
        x.component === 'payments' &&
        x.incidentId !== restart?.incidentId &&
        x.verdict !== 'RESOLVED',
    ) as HealingDecision;
    expect(step.evaluated.find((e) => e.policy === 'Critical Latency Spike')?.outcome).toBe(
      'cooldown',
    );
    expect(
      commands.items.filter(
        (c) => c.component === 'payments' && c.policy.name === 'Critical Latency Spike',
      ),
    ).toHaveLength(1);

    // 3. ledger never heals: each policy is tried once, then the ladder gives up and pages with the story.
    metrics.set('ledger', { latency_p99: 650 });
    const pages = await escalations.waitFor(
      'the ladder page',
      (e) => e.some((x) => x.component === 'ledger' && x.source === 'LADDER_EXHAUSTED'),
      90_000,
    );
    const ladder = pages.find(
      (x) => x.component === 'ledger' && x.source === 'LADDER_EXHAUSTED',
    ) as Escalation;
    const tried = commands.items.filter((c) => c.component === 'ledger').map((c) => c.policy.name);
    expect(tried).toEqual(['Critical Latency Spike', 'Throughput Drop']);
    expect(ladder.actionsTried.join('\n')).toContain('Critical Latency Spike');
    expect(ladder.actionsTried.join('\n')).toContain('Throughput Drop');
    expect(decisions.items.some((d) => d.component === 'ledger' && d.verdict === 'ESCALATE')).toBe(
      true,
    );
    expect(runbook.hits()).toBeGreaterThanOrEqual(2);
    // The page reached both sinks.
    await expect
      .poll(
        () => webhook.accepted().some((r) => (r.json as Escalation).source === 'LADDER_EXHAUSTED'),
        { timeout: 10_000 },
      )
      .toBe(true);
    const alerts = await alertmanager.alerts({ component: 'ledger', source: 'LADDER_EXHAUSTED' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.annotations['actions_tried']).toContain('Throughput Drop');
  });
});
