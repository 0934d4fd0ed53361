import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type ServerResponse } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { examples, type Escalation } from '@healstream/contracts';
import { testKafka, testSerde } from '../support/kafka.js';
import { privatePipeline } from '../support/pipeline.js';
import { watchTopic } from '../support/records.js';
import { readiness, spawnServiceProcess, waitUntil } from '../support/subprocess.js';

describe('escalator killed with SIGKILL while delivering a page', () => {
  it('loses no page: the next instance delivers it and records it in escalations exactly once', async () => {
    const { config, topic } = await privatePipeline({ partitions: 1 });
    // The webhook holds its first request open (the page is in flight when the escalator dies),
    // then accepts.
    const bodies: Escalation[] = [];
    const held: ServerResponse[] = [];
    const webhook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString()) as Escalation);
        if (bodies.length === 1) held.push(res);
        else res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      held.forEach((r) => r.destroy());
      return new Promise<void>((resolve) => webhook.close(() => resolve()));
    });
    const env = {
      ESCALATOR_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as { port: number }).port}/hook`,
      ESCALATOR_SINK_TIMEOUT_MS: '30000',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    const first = spawnServiceProcess('escalator', config, env);
    await waitUntil('the escalator to be ready', async () => (await readiness(first.port)).ready);
    const escalations = await watchTopic<Escalation>(topic('escalations'), 'Escalation');
    onTestFinished(() => escalations.stop());

    const request: Escalation = {
      ...examples.Escalation,
      escalationId: 'esc-crash-1',
      dedupKey: 'healstream/incident/inc-crash-1',
      incidentId: 'inc-crash-1',
    };
    const serde = testSerde();
    await serde.registerTopic(topic('escalation-requests'), 'Escalation');
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic: topic('escalation-requests'),
      messages: [
        { key: request.component, value: serde.encode(topic('escalation-requests'), request) },
      ],
    });
    await producer.disconnect();

    await waitUntil('the page to reach the webhook', () => bodies.length === 1, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(escalations.items).toHaveLength(0); // not recorded: its transaction never committed

    spawnServiceProcess('escalator', config, env);
    await escalations.waitFor(
      'the page recorded by the next instance',
      (e) => e.length > 0,
      60_000,
    );
    await sleep(3000);
    expect(escalations.items).toHaveLength(1);
    expect(escalations.items[0]).toMatchObject({
      dedupKey: request.dedupKey,
      status: 'TRIGGERED',
      source: 'LADDER_EXHAUSTED',
    });
    // Delivered again after the crash (at least once to the sink), under the same identity.
    expect(bodies.length).toBe(2);
    expect(bodies[1]?.escalationId).toBe(bodies[0]?.escalationId);
    expect(bodies[1]?.dedupKey).toBe(request.dedupKey);
  });
});
