import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IncidentSummary, IncidentView } from '@healstream/incidents';
import { consoleStoreFile, startTestConsole } from '@healstream/test-support/console';
import { incidentScenario } from '@healstream/test-support/incident-scenario';
import { testKafka, testSerde } from '@healstream/test-support/kafka';
import { privatePipeline } from '@healstream/test-support/pipeline';
import { ScenarioPublisher } from '@healstream/test-support/publish-scenario';
import { waitUntil } from '@healstream/test-support/subprocess';

const t0 = Date.now() - 60_000;

async function incidentIds(api: (p: string) => Promise<Response>): Promise<string[]> {
  const r = await api('/api/incidents');
  return ((await r.json()) as IncidentSummary[]).map((i) => i.id).sort();
}

/** The first server-sent event named `name` (after hello) on the console's stream. */
async function nextEvent(url: string, token: string, name: string): Promise<unknown> {
  const r = await fetch(`${url}/api/events`, { headers: { authorization: `Bearer ${token}` } });
  const reader = r.body!.getReader();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('event stream ended');
      text += Buffer.from(value).toString('utf8');
      const match = new RegExp(`event: ${name}\\ndata: (.*)\\n\\n`).exec(text);
      if (match) return JSON.parse(match[1] as string);
    }
  } finally {
    await reader.cancel();
  }
}

describe('console service on the real broker', () => {
  it('materialises incidents live, redrives a dead letter, refuses what it must, and rebuilds the same store', async () => {
    const { config } = await privatePipeline({ partitions: 2 });
    const publisher = await ScenarioPublisher.connect(
      testKafka(),
      testSerde(),
      config.HEALSTREAM_TOPIC_PREFIX,
    );
    try {
      await publisher.publish(incidentScenario({ id: 'inc-a', t0, team: 'payments' }));
      const store = consoleStoreFile();
      const first = await startTestConsole(config, store);
      await first.feed.untilCaughtUp(60_000);
      expect(await incidentIds(first.api)).toEqual(['inc-a']);

      // Live: a new incident is announced on the event stream.
      const announced = nextEvent(first.url, 'test-console-token-0123456789', 'incidents');
      await new Promise((r) => setTimeout(r, 200));
      await publisher.publish(
        incidentScenario({ id: 'inc-b', t0: t0 + 10_000, component: 'checkout', recovers: false }),
      );
      expect(await announced).toMatchObject({ ids: expect.arrayContaining(['inc-b']) });
      let b: IncidentView | undefined;
      await waitUntil('the whole story of inc-b', async () => {
        b = (await (await first.api('/api/incidents/inc-b')).json()) as IncidentView;
        return b.timeline.length === 6;
      });
      expect(b!.timeline.map((e) => e.kind)).toEqual([
        'detected',
        'diagnosed',
        'decided',
        'command',
        'outcome',
        'page',
      ]);
      expect(b!.incident.policy).toBe('Critical Latency Spike');

      // Auth: nothing without the token; changes only as JSON and from the same origin.
      expect((await fetch(`${first.url}/api/incidents`)).status).toBe(401);
      expect((await fetch(`${first.url}/view/`)).status).toBe(401);
      const post = (headers: Record<string, string>) =>
        first.api('/api/dead-letters/redrive', { method: 'POST', headers, body: '{"topic":"x"}' });
      expect((await post({ 'content-type': 'text/plain' })).status).toBe(415);
      expect(
        (await post({ 'content-type': 'application/json', origin: 'http://evil.example' })).status,
      ).toBe(403);
      expect(
        (
          await fetch(`${first.url}/api/dead-letters/redrive`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          })
        ).status,
      ).toBe(401);

      // A diagnosis dead-lettered, redriven from the console, reaches the incident's timeline.
      const [, diagnosis] = incidentScenario({ id: 'inc-c', t0: t0 + 20_000, readings: 1 });
      const dlq = await publisher.deadLetter(diagnosis!, 'registry was down');
      await waitUntil('the dead letter in the console', async () => {
        const topics = (await (await first.api('/api/dead-letters')).json()) as { topic: string }[];
        return topics.some((t) => t.topic === dlq);
      });
      const topics = (await (await first.api('/api/dead-letters')).json()) as {
        topic: string;
        rows: { partition: number; offset: string }[];
      }[];
      const row = topics.find((t) => t.topic === dlq)!.rows[0]!;
      const redrive = await first.api('/api/dead-letters/redrive', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic: dlq, partition: row.partition, offset: row.offset }),
      });
      expect(redrive.status).toBe(200);
      expect(await redrive.json()).toMatchObject({ redriven: 1 });
      await waitUntil('the redriven diagnosis in its incident', async () => {
        const r = await first.api('/api/incidents/inc-c');
        return (
          r.ok && ((await r.json()) as IncidentView).incident.cause === 'connection-pool-exhaustion'
        );
      });
      const twice = await first.api('/api/dead-letters/redrive', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic: dlq, partition: row.partition, offset: row.offset }),
      });
      expect(twice.status).toBe(409);
      expect(((await twice.json()) as { error: string }).error).toMatch(
        /already redriven|no such pending/,
      );

      // Redrive all: every pending dead letter of the topic, each once.
      for (const id of ['inc-d', 'inc-e']) {
        const [, d] = incidentScenario({ id, t0: t0 + 30_000, readings: 1 });
        await publisher.deadLetter(d!, 'registry was down');
      }
      await waitUntil('two more dead letters in the console', async () => {
        const all = (await (await first.api('/api/dead-letters')).json()) as {
          topic: string;
          rows: unknown[];
        }[];
        return all.find((t) => t.topic === dlq)?.rows.length === 3;
      });
      const redriveAll = () =>
        first.api('/api/dead-letters/redrive', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ topic: dlq }),
        });
      expect(await (await redriveAll()).json()).toMatchObject({ redriven: 2 });
      expect(await (await redriveAll()).json()).toMatchObject({ redriven: 0 });
      await waitUntil(
        'the incidents of both redriven diagnoses',
        async () =>
          (await incidentIds(first.api)).includes('inc-e') &&
          (await incidentIds(first.api)).includes('inc-d'),
      );

      const before = await Promise.all(
        ['inc-a', 'inc-b', 'inc-c', 'inc-d', 'inc-e'].map(async (id) =>
          (await first.api(`/api/incidents/${id}`)).json(),
        ),
      );
      await first.stop();

      // Rebuild: the store deleted, a new console reads the topics again into the same incidents.
      rmSync(store);
      const second = await startTestConsole(config, store);
      await second.feed.untilCaughtUp(60_000);
      const after = await Promise.all(
        ['inc-a', 'inc-b', 'inc-c', 'inc-d', 'inc-e'].map(async (id) =>
          (await second.api(`/api/incidents/${id}`)).json(),
        ),
      );
      expect(after).toEqual(before);
    } finally {
      await publisher.close();
    }
  });
});
