import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
  type HealingCommand,
} from '@healstream/contracts';
import {
  command,
  components,
  pipeline,
  SECRET,
  sendCommands,
  startExecutor,
  startFleet,
  watchOutcomes,
} from './harness.test-support.js';

/** A runbook endpoint that checks the signature and answers after `delayMs`. */
async function runbook(delayMs: number) {
  const calls: { action: string; signed: boolean; at: number }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const signed = verifySignature(
        SECRET,
        {
          signature: req.headers[SIGNATURE_HEADER] as string,
          timestamp: req.headers[TIMESTAMP_HEADER] as string,
        },
        text,
        { now: Date.now() },
      );
      calls.push({
        action: (JSON.parse(text) as { action: string }).action,
        signed,
        at: Date.now(),
      });
      setTimeout(
        () => res.writeHead(signed ? 200 : 401).end(signed ? 'done' : 'bad signature'),
        delayMs,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/runbook`,
    calls,
  };
}

const httpComponent = (id: string, url: string) =>
  `  ${id}:\n    executor: http\n    target: "${url}"\n    allowed_actions: [restart-service, fallback-mode]\n`;

describe('action-executor takeover and concurrency', () => {
  it('a command started by an instance that died is not run again by the next one, which reports it once', async () => {
    const { config, topic } = await pipeline();
    const fleet = await startFleet('payments');
    const registry = components(
      `  payments:\n    executor: process\n    target: payments\n    allowed_actions: [restart-service]\n    health_check: { url: "http://127.0.0.1:${fleet.port}/healthz", timeout_ms: 1000 }\n    options: { supervisor_url: "${fleet.url}" }\n`,
    );
    const outcomes = await watchOutcomes(topic('healing-outcomes'));
    const pid = fleet.pid();

    // The first instance commits `started`, then dies before running the action.
    let reachedStarted: (c: HealingCommand) => void = () => {};
    const started = new Promise<HealingCommand>((resolve) => (reachedStarted = resolve));
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const doomed = await startExecutor({
      config,
      components: registry,
      hooks: {
        afterStarted: async (c) => {
          reachedStarted(c);
          await gate;
        },
      },
    });
    const c = command();
    await sendCommands(topic('healing-commands'), [{ command: c }]);
    expect((await started).commandId).toBe(c.commandId);
    await doomed.running.stop();
    release(); // the orphaned job wakes up in an instance that no longer owns the partition
    await sleep(500);
    expect(fleet.pid()).toBe(pid);

    const next = await startExecutor({ config, components: registry });
    const outcome = await outcomes.waitFor(c.commandId);
    expect(outcome.actions).toEqual([
      expect.objectContaining({
        name: 'restart-service',
        status: 'FAILED',
        error: expect.stringMatching(/^INTERRUPTED/),
      }),
    ]);
    expect(outcome.verification).toBe('RECOVERED');
    expect(outcome.verificationDetail).toMatch(/not run again/);
    await sleep(2000);
    expect(outcomes.of(c.commandId)).toHaveLength(1);
    expect(fleet.pid()).toBe(pid);
    expect(await doomed.metric('healstream_healing_attempts_total')).toBe(0);
    expect(await next.metric('healstream_healing_attempts_total')).toBe(0);
  });

  it('signs http webhooks, and a long action holds up no other command, on its partition or another', async () => {
    const { config, topic } = await pipeline();
    const slowHook = await runbook(6000);
    const quickHook = await runbook(0);
    const registry = components(
      httpComponent('slow', slowHook.url) + httpComponent('quick', quickHook.url),
    );
    const outcomes = await watchOutcomes(topic('healing-outcomes'));
    await startExecutor({ config, components: registry });

    const slow = command({ component: 'slow' });
    const quick = command({
      component: 'quick',
      actions: [{ name: 'fallback-mode', params: { duration_seconds: '60' } }],
    });
    const samePartition = command({ component: 'quick' });
    await sendCommands(topic('healing-commands'), [{ command: slow, partition: 0 }]);
    await expect.poll(() => slowHook.calls.length, { timeout: 30_000 }).toBe(1);
    await sendCommands(topic('healing-commands'), [
      { command: quick, partition: 1 },
      { command: samePartition, partition: 0 },
    ]);

    const quickOutcome = await outcomes.waitFor(quick.commandId);
    expect(outcomes.of(slow.commandId)).toHaveLength(0);
    expect(quickOutcome.actions).toEqual([
      expect.objectContaining({
        name: 'fallback-mode',
        status: 'SUCCEEDED',
        detail: 'webhook answered 200: done',
      }),
    ]);
    expect(quickOutcome.verification).toBe('UNKNOWN'); // no health check configured
    // Behind the slow command on its own partition: its actions run outside the transaction.
    await outcomes.waitFor(samePartition.commandId);
    expect(outcomes.of(slow.commandId)).toHaveLength(0);

    const slowOutcome = await outcomes.waitFor(slow.commandId);
    expect(slowOutcome.actions[0]).toMatchObject({ status: 'SUCCEEDED' });
    expect(slowOutcome.actions[0]?.durationMs).toBeGreaterThanOrEqual(6000);
    expect([...slowHook.calls, ...quickHook.calls].every((call) => call.signed)).toBe(true);
  });
});
