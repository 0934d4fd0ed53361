import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseComponents } from '@healstream/core';
import { SupervisorClient } from '@healstream/supervisor-client';
import { ChildInstance, freePort } from './child.js';
import { startControlServer } from './control-server.js';
import { memberSpecs } from './spec.js';
import { Supervisor } from './supervisor.js';

async function fleetOf(id: string, env = '{ LOAD_RPS: "50" }') {
  const port = await freePort();
  const registry = parseComponents(
    `components:\n  ${id}:\n    executor: process\n    target: ${id}\n    allowed_actions: [restart-service]\n    health_check: { url: "http://127.0.0.1:${port}/healthz" }\n    bounds: { max_replicas: 2 }\n    options: { version: 2.0.0, env: ${env} }\n`,
    'test.yaml',
  );
  const supervisor = new Supervisor({ specs: memberSpecs(registry), stopGraceMs: 2000 });
  onTestFinished(() => supervisor.stopAll(2000));
  await supervisor.startAll();
  const control = await startControlServer(supervisor, { port: 0 });
  onTestFinished(() => control.close());
  return { supervisor, client: new SupervisorClient(control.url, control.token), control, port };
}

async function health(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(2000),
  }).catch(() => null);
  await res?.body?.cancel();
  return res?.status ?? 0;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}; last ${JSON.stringify(last)}`);
    await sleep(200);
    last = await probe();
  }
  return last;
}

describe('fleet supervisor with real child processes', () => {
  it('restarts gracefully with a new pid, runs an idempotency key once, and leaves a crashed instance down until told', async () => {
    const { client, port } = await fleetOf('alpha');
    const first = await client.component('alpha');
    const pid = first.instances[0]?.pid;
    expect(first.version).toBe('2.0.0');
    expect(await health(port)).toBe(200);

    const restarted = await client.operate(
      'alpha',
      'restart',
      { grace_seconds: 2 },
      { idempotencyKey: 'cmd-1:restart-service' },
    );
    expect(restarted['before']).toEqual([pid]);
    const newPid = (restarted['after'] as number[])[0];
    expect(newPid).not.toBe(pid);
    const again = await client.operate(
      'alpha',
      'restart',
      { grace_seconds: 2 },
      { idempotencyKey: 'cmd-1:restart-service' },
    );
    expect(again).toEqual(restarted);
    expect((await client.component('alpha')).instances[0]?.pid).toBe(newPid);

    await client.operate('alpha', 'fault', { kind: 'crash' });
    await waitFor(
      'the crash',
      () => client.component('alpha'),
      (c) => c.instances[0]?.state === 'exited',
    );
    await sleep(1000);
    expect((await client.component('alpha')).instances[0]?.state).toBe('exited');
    expect(await health(port)).toBe(0);

    await client.operate('alpha', 'restart', { grace_seconds: 1 });
    expect(await health(port)).toBe(200);
  });

  it('scales up on other ports within max_replicas, a rollback cures a bad deploy, scale-down keeps the first', async () => {
    const { client, port } = await fleetOf('beta');
    const scaled = await client.operate('beta', 'scale-up', { replicas: 1 });
    const added = (scaled['added'] as { port: number; pid: number }[])[0];
    expect(added?.port).not.toBe(port);
    expect(await health(added?.port as number)).toBe(200);
    await expect(client.operate('beta', 'scale-up', { replicas: 1 })).rejects.toMatchObject({
      status: 409,
      code: 'AT_MAX_REPLICAS',
    });

    const deployed = await client.operate('beta', 'fault', { kind: 'bad-deploy' });
    expect(deployed['version']).toBe('2.0.1');
    await waitFor(
      'the bad version to turn unhealthy',
      () => health(port),
      (s) => s === 503,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/build_info\{component="beta",instance="beta-0",version="2.0.1"\} 1/);

    const rolled = await client.operate('beta', 'rollback', {});
    expect(rolled).toMatchObject({ from: '2.0.1', to: '2.0.0' });
    expect(await health(port)).toBe(200);
    const status = await client.component('beta');
    expect(status.instances.map((i) => i.version)).toEqual(['2.0.0', '2.0.0']);
    await expect(client.operate('beta', 'rollback', {})).rejects.toMatchObject({
      status: 409,
      code: 'NO_PREVIOUS_VERSION',
    });

    // Scale-down stops the added instance, never the first one.
    const down = await client.operate('beta', 'scale-down', { replicas: 5 });
    expect(down).toMatchObject({ instances: 1 });
    expect((down['removed'] as { port: number }[]).map((r) => r.port)).toEqual([added?.port]);
    expect(await health(port)).toBe(200);
    expect(await health(added?.port as number)).toBe(0);
    expect((await client.operate('beta', 'scale-down', {}))['removed']).toEqual([]);
    expect((await client.component('beta')).instances.map((i) => i.port)).toEqual([port]);
  });

  it('fallback mode really stops the errors of an erroring member', async () => {
    const { client, port } = await fleetOf('gamma');
    await client.operate('gamma', 'fault', { kind: 'errors' });
    await waitFor(
      'errors to show',
      () => health(port),
      (s) => s === 503,
    );
    await client.operate('gamma', 'fallback', { duration_seconds: 60 });
    expect(await health(port)).toBe(200);
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as {
      fallback: boolean;
    };
    expect(status.fallback).toBe(true);
    await expect(client.operate('nope', 'restart', {})).rejects.toMatchObject({ status: 404 });
  });

  it('changes nothing for a caller without the token or without JSON (a web page cannot drive it)', async () => {
    const { client, control, port } = await fleetOf('delta');
    const pid = (await client.component('delta')).instances[0]?.pid;
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${control.url}/components/delta/fault`, { method: 'POST', headers, body });
    const json = { 'content-type': 'application/json' };
    const noToken = await post(json, '{"kind":"crash"}');
    expect(noToken.status).toBe(401);
    const wrong = await post({ ...json, authorization: 'Bearer guess' }, '{"kind":"crash"}');
    expect(wrong.status).toBe(401);
    // A form or text/plain POST (what a page can send cross-site without a preflight).
    const plain = await post(
      { 'content-type': 'text/plain', authorization: `Bearer ${control.token}` },
      '{"kind":"crash"}',
    );
    expect(plain.status).toBe(415);
    expect(await health(port)).toBe(200);
    expect((await client.component('delta')).instances[0]?.pid).toBe(pid);
    // Reading stays open on loopback; with the token, changing works.
    expect((await fetch(`${control.url}/status`)).status).toBe(200);
    await client.operate('delta', 'restart', { grace_seconds: 1 });
    expect((await client.component('delta')).instances[0]?.pid).not.toBe(pid);
  });

  it('boots the replacement while the old instance drains, on the same port', async () => {
    // A hung member never finishes its requests: it drains for all of DRAIN_MS.
    const { client, port } = await fleetOf('epsilon', '{ LOAD_RPS: "50", DRAIN_MS: "3000" }');
    const oldPid = (await client.component('epsilon')).instances[0]?.pid as number;
    await client.operate('epsilon', 'fault', { kind: 'hang' });
    await sleep(300); // its own load has sent it requests that will never end
    const restarting = client.operate('epsilon', 'restart', { grace_seconds: 10 });
    const answer = await waitFor(
      'a new instance to answer on the port',
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
          signal: AbortSignal.timeout(300),
        }).catch(() => null);
        const body = res?.status === 200 ? ((await res.json()) as { pid: number }) : null;
        let oldAlive = true;
        try {
          process.kill(oldPid, 0);
        } catch {
          oldAlive = false;
        }
        return { pid: body?.pid, oldAlive };
      },
      (a) => a.pid !== undefined && a.pid !== oldPid,
    );
    expect(answer.oldAlive).toBe(true);
    const restarted = await restarting;
    expect(restarted['after']).toEqual([answer.pid]);
    expect(() => process.kill(oldPid, 0)).toThrow();
  });

  it('does not take a health answer from another process for the one it started', async () => {
    const port = await freePort();
    const impostor = `require('node:http').createServer((q, s) => s.end(JSON.stringify({ pid: 1 }))).listen(${port}, '127.0.0.1')`;
    await expect(
      ChildInstance.start({
        component: 'zeta',
        index: 0,
        port,
        version: '1',
        defective: false,
        command: [process.execPath, '-e', impostor],
        env: {},
        healthPath: '/healthz',
        ownPid: true,
        startTimeoutMs: 1500,
      }),
    ).rejects.toThrow(/answered by pid 1, not \d+/);
  });
});
