import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { examples, type HealingCommand, type HealingOutcome } from '@healstream/contracts';
import { testKafka, testSerde } from '../support/kafka.js';
import { privatePipeline } from '../support/pipeline.js';
import { watchTopic } from '../support/records.js';
import { tempFile } from '../support/full-pipeline.js';
import { readiness, spawnServiceProcess, waitUntil } from '../support/subprocess.js';

describe('action-executor killed with SIGKILL in the middle of an action', () => {
  it('does not run the action again after the takeover, and reports the command exactly once', async () => {
    const { config, topic } = await privatePipeline({ partitions: 1 });
    // The runbook answers only after 4 s: long enough to kill the executor while it waits.
    let runbookCalls = 0;
    const runbook = createServer((req, res) => {
      runbookCalls++;
      req.resume();
      setTimeout(() => res.writeHead(200).end('{}'), 4000);
    });
    const health = createServer((req, res) => res.writeHead(200).end('ok'));
    for (const server of [runbook, health]) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    }
    const url = (server: typeof runbook) =>
      `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const componentsFile = tempFile(
      'components.yaml',
      `components:\n  ledger:\n    executor: http\n    target: ${url(runbook)}/runbook\n    allowed_actions: [restart-service]\n    health_check: { url: "${url(health)}/healthz" }\n`,
    );
    const env = {
      COMPONENTS_FILE: componentsFile,
      WEBHOOK_SECRET: 'executor-crash-test-secret',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      VERIFY_HEALTHY_CHECKS: '1',
    };
    const first = spawnServiceProcess('action-executor', config, env);
    await waitUntil('the executor to be ready', async () => (await readiness(first.port)).ready);
    const outcomes = await watchTopic<HealingOutcome>(topic('healing-outcomes'), 'HealingOutcome');
    onTestFinished(() => outcomes.stop());

    const command: HealingCommand = {
      ...examples.HealingCommand,
      commandId: 'cmd-crash-1',
      component: 'ledger',
      actions: [{ name: 'restart-service', params: {} }],
      issuedAt: Date.now(),
      deadline: Date.now() + 120_000,
    };
    const serde = testSerde();
    await serde.registerTopic(topic('healing-commands'), 'HealingCommand');
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic: topic('healing-commands'),
      messages: [{ key: 'ledger', value: serde.encode(topic('healing-commands'), command) }],
    });
    await producer.disconnect();

    await waitUntil('the action to reach the runbook', () => runbookCalls === 1, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = spawnServiceProcess('action-executor', config, env);
    await waitUntil(
      'the new executor to own the partition',
      async () => {
        const r = await readiness(second.port);
        return r.ready && r.partitions.length === 1;
      },
      60_000,
    );
    const [outcome] = await outcomes.waitFor(
      'the outcome of the interrupted command',
      (o) => o.length > 0,
      60_000,
    );
    await sleep(3000); // a second outcome or call would show by now
    expect(outcomes.items).toHaveLength(1);
    expect(runbookCalls).toBe(1);
    expect(outcome?.commandId).toBe('cmd-crash-1');
    expect(outcome?.actions[0]).toMatchObject({ name: 'restart-service', status: 'FAILED' });
    expect(outcome?.actions[0]?.error).toMatch(/^INTERRUPTED/);
    expect(outcome?.verification).toBe('RECOVERED'); // the health check passes; the action is not repeated
  });
});
