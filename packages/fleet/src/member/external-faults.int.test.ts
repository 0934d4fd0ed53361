import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseComponents } from '@healstream/core';
import { SupervisorClient } from '@healstream/supervisor-client';
import { freePort } from '../supervisor/child.js';
import { startControlServer } from '../supervisor/control-server.js';
import { memberSpecs } from '../supervisor/spec.js';
import { Supervisor } from '../supervisor/supervisor.js';

async function health(port: number): Promise<{ status: number; reason: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(2000),
  }).catch(() => null);
  const body = ((await res?.json().catch(() => ({}))) ?? {}) as { reason?: string };
  return { status: res?.status ?? 0, reason: body.reason ?? '' };
}

async function until(
  what: string,
  port: number,
  ok: (h: { status: number; reason: string }) => boolean,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last = await health(port);
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last ${JSON.stringify(last)}`);
    await sleep(200);
    last = await health(port);
  }
  return last;
}

describe('faults around the process, on real members', () => {
  it('a traffic surge saturates the CPU until scale-up shares it; a database outage outlives a restart until it ends', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'fleet-state-'));
    onTestFinished(() => rmSync(stateDir, { recursive: true, force: true }));
    const port = await freePort();
    const registry = parseComponents(
      `components:\n  search:\n    executor: process\n    target: search\n    allowed_actions: [restart-service, scale-up]\n    health_check: { url: "http://127.0.0.1:${port}/healthz" }\n    bounds: { max_replicas: 3 }\n` +
        `    options: { env: { STATE_DIR: "${stateDir}", CPU_LIMIT_CORES: "0.25", SURGE_CORES: "0.3", DRAIN_MS: "1000" } }\n`,
      'test.yaml',
    );
    const supervisor = new Supervisor({ specs: memberSpecs(registry), stopGraceMs: 2000 });
    onTestFinished(() => supervisor.stopAll(2000));
    await supervisor.startAll();
    const control = await startControlServer(supervisor, { port: 0 });
    onTestFinished(() => control.close());
    const fleet = new SupervisorClient(control.url, control.token);

    await fleet.operate('search', 'fault', { kind: 'traffic-surge' });
    expect((await until('a saturated CPU', port, (h) => h.status === 503)).reason).toMatch(
      /cpu at \d+% of its limit/,
    );
    await fleet.operate('search', 'scale-up', { replicas: 1 });
    await until('the surge shared by two instances', port, (h) => h.status === 200);
    await fleet.operate('search', 'fault', { kind: 'none' });

    await fleet.operate('search', 'fault', { kind: 'database-down' });
    await until('failing queries', port, (h) => h.status === 503);
    await fleet.operate('search', 'restart', { grace_seconds: 1 });
    await sleep(1500);
    expect(
      (await until('the outage seen by the new process', port, (h) => h.status === 503)).reason,
    ).toMatch(/error rate/);
    await fleet.operate('search', 'fault', { kind: 'none' });
    await until('the database back', port, (h) => h.status === 200);
  }, 90_000);
});
