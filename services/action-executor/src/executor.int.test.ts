import { describe, expect, it } from 'vitest';
import {
  command,
  components,
  pipeline,
  sendCommands,
  startExecutor,
  startFleet,
  watchOutcomes,
} from './harness.test-support.js';

const processComponent = (id: string, fleet: { url: string; port: number }) =>
  `  ${id}:\n    executor: process\n    target: ${id}\n    allowed_actions: [restart-service, scale-up, alert-oncall]\n    health_check: { url: "http://127.0.0.1:${fleet.port}/healthz", timeout_ms: 1000 }\n    bounds: { max_replicas: 2 }\n    options: { supervisor_url: "${fleet.url}" }\n`;

describe('action-executor on the real broker and a real fleet', () => {
  it('restarts a real process (new pid), reports RECOVERED, and runs a redelivered command once — also after a restart of the executor', async () => {
    const { config, topic } = await pipeline();
    const fleet = await startFleet('payments');
    const registry = components(processComponent('payments', fleet));
    const outcomes = await watchOutcomes(topic('healing-outcomes'));
    const pidBefore = fleet.pid();

    const first = await startExecutor({ config, components: registry });
    const c = command();
    await sendCommands(topic('healing-commands'), [{ command: c }, { command: c }]);
    const outcome = await outcomes.waitFor(c.commandId);
    expect(outcome).toMatchObject({
      commandId: c.commandId,
      incidentId: c.incidentId,
      component: 'payments',
      verification: 'RECOVERED',
      actions: [{ name: 'restart-service', status: 'SUCCEEDED' }],
    });
    expect(outcome.actions[0]?.detail).toMatch(new RegExp(`pids \\[${pidBefore}\\] → \\[\\d+\\]`));
    const pidAfter = fleet.pid();
    expect(pidAfter).not.toBe(pidBefore);
    expect(
      await first.metric('healstream_healing_attempts_total', { action: 'restart-service' }),
    ).toBe(1);
    expect(
      await first.metric('healstream_healing_successes_total', { policy: c.policy.name }),
    ).toBe(1);
    await expect
      .poll(() => first.metric('healstream_healing_skips_total', { reason: 'DUPLICATE' }))
      .toBe(1);
    await first.running.stop();

    // A new instance restores the ledger: the same command delivered again runs nothing.
    const second = await startExecutor({ config, components: registry });
    await sendCommands(topic('healing-commands'), [{ command: c }]);
    await expect
      .poll(() => second.metric('healstream_healing_skips_total', { reason: 'DUPLICATE' }), {
        timeout: 30_000,
      })
      .toBe(1);
    expect(await second.metric('healstream_healing_attempts_total')).toBe(0);
    expect(fleet.pid()).toBe(pidAfter);
    expect(outcomes.of(c.commandId)).toHaveLength(1);
  });

  it('answers every validation failure, shadow and delegated-only commands with their own outcome, running nothing', async () => {
    const { config, topic } = await pipeline();
    const fleet = await startFleet('payments');
    const registry = components(processComponent('payments', fleet));
    const outcomes = await watchOutcomes(topic('healing-outcomes'));
    const pid = fleet.pid();
    await startExecutor({ config, components: registry });
    const cases = {
      UNKNOWN_ACTION: command({ actions: [{ name: 'reboot-datacenter', params: {} }] }),
      UNKNOWN_COMPONENT: command({ component: 'ghost' }),
      ACTION_NOT_PERMITTED: command({ actions: [{ name: 'rollback-deployment', params: {} }] }),
      PARAMS_OUT_OF_BOUNDS: command({ actions: [{ name: 'scale-up', params: { replicas: '3' } }] }),
      SHADOW: command({ mode: 'SHADOW' }),
      DELEGATED_ONLY: command({ actions: [{ name: 'alert-oncall', params: {} }] }),
    };
    await sendCommands(
      topic('healing-commands'),
      Object.values(cases).map((c) => ({ command: c })),
    );
    for (const [code, c] of Object.entries(cases)) {
      const o = await outcomes.waitFor(c.commandId);
      expect(o.verification, code).toBe('UNKNOWN');
      if (code === 'SHADOW')
        expect(o.actions).toEqual([
          expect.objectContaining({ status: 'SKIPPED', detail: 'shadow' }),
        ]);
      else if (code === 'DELEGATED_ONLY')
        expect(o.actions).toEqual([expect.objectContaining({ status: 'DELEGATED' })]);
      else
        expect(o.actions).toEqual([
          expect.objectContaining({
            status: 'SKIPPED',
            error: expect.stringMatching(new RegExp(`^${code}: `)),
          }),
        ]);
    }
    expect(fleet.pid()).toBe(pid);
  });
});
