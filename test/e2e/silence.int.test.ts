import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Escalation, ReliabilityEvent } from '@healstream/contracts';
import { freePort } from '@healstream/fleet';
import { privatePipeline } from '../support/pipeline.js';
import { steadyPublisher, tempFile } from '../support/full-pipeline.js';
import { pipelineUnderTest } from '../support/pipeline-under-test.js';
import { spawnPipelineProcess } from '../support/subprocess.js';

// A loaded machine may answer a scrape late: the floor keeps one slow scrape from being a crash.
const SILENCE_FLOOR_MS = 5000;

describe('healing over time, end to end: five services, a real fleet, the real agent', () => {
  it('restarts a member killed with SIGKILL, pages an unhandled anomaly once, and a dead agent once', async () => {
    const { config, topic } = await privatePipeline();
    const ports = { payments: await freePort(), checkout: await freePort() };
    const componentsYaml = `components:
  payments:
    executor: process
    target: payments
    allowed_actions: [restart-service, alert-oncall]
    health_check: { url: "http://127.0.0.1:${ports.payments}/healthz" }
  checkout:
    executor: process
    target: checkout
    allowed_actions: [restart-service, alert-oncall]
    health_check: { url: "http://127.0.0.1:${ports.checkout}/healthz" }
    runbook: https://runbooks.example/checkout
  ledger:
    executor: http
    target: http://127.0.0.1:9/runbook
    allowed_actions: [restart-service, alert-oncall]
    runbook: https://runbooks.example/ledger
`;
    // The reference's five and the silence policy, without the shipped cause policies: those
    // restart a component diagnosed with pool exhaustion, and this test wants an anomaly that
    // no policy handles.
    const policiesDir = mkdtempSync(join(tmpdir(), 'healstream-silence-policies-'));
    for (const file of ['default.yaml', 'silence.yaml'])
      copyFileSync(join('policies', file), join(policiesDir, file));
    const { supervisor, webhook, watch } = await pipelineUnderTest(config, topic, {
      components: componentsYaml,
      members: ['payments', 'checkout'],
      detector: { silence: { minSilenceMs: SILENCE_FLOOR_MS, checkEveryMs: 500 } },
      webhook: true,
      env: {
        POLICIES_DIR: policiesDir,
        ESCALATOR_POLICIES_DIR: policiesDir,
        WEBHOOK_SECRET: 'e2e-silence-runbook-secret',
        UNHANDLED_PAGE_AFTER: '6s',
        VERIFY_WINDOW_MS: '8000',
        VERIFY_INTERVAL_MS: '300',
        VERIFY_HEALTHY_CHECKS: '2',
      },
      watch: ['events', 'commands', 'outcomes', 'decisions', 'escalations'],
    });
    const { events, commands, outcomes, decisions, escalations } = watch;

    // The real agent scrapes both members every second.
    const targets = tempFile(
      'targets.yaml',
      [
        'interval_seconds: 1',
        'targets:',
        ...Object.entries(ports).map(
          ([component, port]) =>
            `  - { component: ${component}, url: "http://127.0.0.1:${port}/metrics" }`,
        ),
      ].join('\n'),
    );
    const agent = spawnPipelineProcess(
      'agent',
      ['packages/cli/src/main.ts', 'agent', '--targets', targets],
      config,
      { LOG_LEVEL: 'warn' },
    );
    // ledger: its database pool is full, its latency calm; none of these policies reads the pool.
    const ledger = await steadyPublisher(topic('metrics'), {
      ledger: { latency_p99: 90, error_rate: 0.01, db_pool_utilization: 0.97 },
    });
    // Enough scrapes for the detector to learn the members' interval.
    await sleep(8000);

    // 1. kill -9 of checkout: SILENT, Restart Silent Component, verified, resolved.
    expect(
      events.items.filter((e) => e.kind === 'SILENT'),
      'nobody is silent before the kill',
    ).toEqual([]);
    const pid = supervisor.component('checkout').instances[0]?.pid;
    expect(pid).toBeDefined();
    const killedAt = Date.now();
    process.kill(pid as number, 'SIGKILL');
    const isSilent = (x: ReliabilityEvent) => x.component === 'checkout' && x.kind === 'SILENT';
    const silent = (
      await events.waitFor('checkout found silent', (e) => e.some(isSilent), 30_000)
    ).find(isSilent);
    expect(silent?.detectedAt).toBeGreaterThanOrEqual(killedAt + SILENCE_FLOOR_MS - 1000);
    const restart = (
      await commands.waitFor('the restart', (c) => c.some((x) => x.component === 'checkout'))
    ).find((x) => x.component === 'checkout');
    expect(restart?.policy.name).toBe('Restart Silent Component');
    expect(restart?.incidentId).toBe(silent?.incidentId);
    const outcome = (
      await outcomes.waitFor(
        'the restart verified',
        (o) => o.some((x) => x.commandId === restart?.commandId),
        60_000,
      )
    ).find((x) => x.commandId === restart?.commandId);
    expect(outcome?.verification).toBe('RECOVERED');
    expect(supervisor.component('checkout').instances[0]?.pid).not.toBe(pid);
    await decisions.waitFor(
      'the SILENT incident resolved once checkout reports again',
      (d) => d.some((x) => x.incidentId === silent?.incidentId && x.verdict === 'RESOLVED'),
      60_000,
    );
    expect(events.items.some((e) => e.component === 'payments' && e.kind === 'SILENT')).toBe(false);

    // 2. ledger's anomaly matched nothing for 6 s: one UNHANDLED page, with its runbook.
    const unhandled = (
      await escalations.waitFor('the unhandled page', (e) =>
        e.some((x) => x.source === 'UNHANDLED' && x.component === 'ledger'),
      )
    ).filter((x) => x.source === 'UNHANDLED');
    expect(unhandled).toHaveLength(1);
    expect(unhandled[0]?.details).toContain('db_pool_utilization');
    expect(unhandled[0]?.details).toContain('policies that almost matched:');
    expect(unhandled[0]?.links[0]).toBe('runbook: https://runbooks.example/ledger');
    expect(
      decisions.items
        .filter((d) => d.component === 'ledger')
        .every((d) => d.verdict === 'NO_MATCH'),
    ).toBe(true);

    // 3. The agent and the other producer die: one FLEET_SILENT page, nothing restarted.
    const commandsBefore = commands.items.length;
    agent.child.kill('SIGKILL');
    await ledger.stop();
    await escalations.waitFor(
      'the fleet-silence page',
      (e) => e.some((x) => x.source === 'FLEET_SILENT'),
      30_000,
    );
    // Every partition that held a component asks; give them all time to, then count the pages.
    await sleep(8000);
    const fleetPages = escalations.items.filter(
      (x) => x.source === 'FLEET_SILENT' && x.status === 'TRIGGERED',
    );
    expect(fleetPages).toHaveLength(1);
    expect(fleetPages[0]?.summary).toContain(
      'the producer (agent) feeding them has probably stopped',
    );
    expect(commands.items.length).toBe(commandsBefore);
    expect(
      events.items.filter((e) => e.kind === 'SILENT' && e.incidentId !== silent?.incidentId),
    ).toEqual([]);
    // The page reached the on-call sink once, too (the UNHANDLED one and the fleet one).
    const delivered = webhook
      .accepted()
      .map((r) => r.json as Escalation)
      .filter((x) => x.status === 'TRIGGERED');
    expect(delivered.filter((x) => x.source === 'FLEET_SILENT')).toHaveLength(1);
    expect(delivered.filter((x) => x.source === 'UNHANDLED')).toHaveLength(1);
  }, 240_000);
});
