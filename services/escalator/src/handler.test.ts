import { describe, expect, it } from 'vitest';
import {
  examples,
  isRetriable,
  topicsFor,
  TransientError,
  type Escalation,
} from '@healstream/contracts';
import { createLogger, Registry, type Outbound } from '@healstream/runtime';
import { DeliveryMemo } from './deliver.js';
import { partitionHandler, type EscalatorRecord, type TransactionalState } from './handler.js';
import { escalatorMetrics } from './metrics.js';
import type { Routing } from './routing.js';
import { escalatorInputs } from './service.js';
import { SinkRejectedError } from './sinks/http.js';
import type { Sink } from './sinks/types.js';
import type { Entry } from './state.js';

const topics = topicsFor('hs.');

function memoryState(): TransactionalState & { committedKeys: () => string[] } {
  const committed = new Map<string, Entry>();
  const overlay = new Map<string, Entry | null>();
  return {
    get: (k) => (overlay.has(k) ? (overlay.get(k) ?? undefined) : committed.get(k)),
    set: (k, v) => void overlay.set(k, v),
    delete: (k) => void overlay.set(k, null),
    keys: () =>
      [...new Set([...committed.keys(), ...overlay.keys()])].filter((k) => overlay.get(k) !== null),
    beforeCommit: () => {},
    committed: () => {
      for (const [k, v] of overlay) {
        if (v === null) committed.delete(k);
        else committed.set(k, v);
      }
      overlay.clear();
    },
    aborted: () => overlay.clear(),
    committedKeys: () => [...committed.keys()],
  };
}

/** A sink that does what the test says, and remembers what it was sent. */
function fakeSink(
  name: string,
  behave: (n: number) => 'ok' | 'down' | 'reject',
): Sink & { sent: Escalation[]; calls: number } {
  const sink = {
    name,
    kind: 'webhook' as const,
    sent: [] as Escalation[],
    calls: 0,
    async send(page: Escalation) {
      const what = behave(sink.calls++);
      if (what === 'down') throw new TransientError('SINK_UNAVAILABLE', `${name} down`);
      if (what === 'reject') throw new SinkRejectedError(name, 400, 'bad');
      sink.sent.push(page);
    },
  };
  return sink;
}

function setup(sinks: Sink[]) {
  const routing: Routing = { sinks: [], routes: [], default: sinks.map((s) => s.name) };
  const state = memoryState();
  const registry = new Registry();
  const handler = partitionHandler(state, {
    settings: { prefix: 'hs.', dedupWindowMs: 60_000, pageTtlMs: 3_600_000, trailUrl: undefined },
    topics,
    routing,
    sinks: new Map(sinks.map((s) => [s.name, s])),
    teams: new Map(),
    memo: new DeliveryMemo(),
    metrics: escalatorMetrics(registry),
    logger: createLogger('escalator-test', 'silent'),
  });
  return { handler, state, registry };
}

const outcomeRecord = (offset: number): EscalatorRecord => ({
  logical: 'healing-outcomes',
  topic: topics.healingOutcomes.topic,
  partition: 0,
  offset: String(offset),
  key: 'payments',
  value: { ...examples.HealingOutcome, verification: 'NOT_RECOVERED' },
  timestamp: examples.HealingOutcome.finishedAt,
  headers: {},
});

describe('escalator partition handler', () => {
  it('retries a transaction while a sink is down without calling the sinks that already took the page', async () => {
    const am = fakeSink('am', () => 'ok');
    const hook = fakeSink('hook', (n) => (n < 3 ? 'down' : 'ok'));
    const { handler, state } = setup([am, hook]);
    const emitted: Outbound[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const error = await Promise.resolve(
        handler.handle(outcomeRecord(7), (o) => emitted.push(o)),
      ).catch((e: unknown) => e);
      expect(isRetriable(error)).toBe(true);
      handler.aborted?.();
      expect(state.committedKeys()).toEqual([]);
    }
    await handler.handle(outcomeRecord(7), (o) => emitted.push(o));
    handler.committed?.();
    expect(am.sent).toHaveLength(1);
    expect(hook.sent).toHaveLength(1);
    expect(hook.sent[0]?.escalationId).toBe(am.sent[0]?.escalationId);
    expect(emitted).toEqual([
      expect.objectContaining({
        topic: 'hs.escalations',
        key: 'payments',
        value: expect.objectContaining({ channel: 'am,hook' }),
      }),
    ]);
  });

  it('records a rejection (4xx) in the channel and moves on, without throwing', async () => {
    const am = fakeSink('am', () => 'ok');
    const hook = fakeSink('hook', () => 'reject');
    const { handler, registry } = setup([am, hook]);
    const emitted: Outbound[] = [];
    await handler.handle(outcomeRecord(1), (o) => emitted.push(o));
    expect((emitted[0] as { value: Escalation }).value.channel).toBe(
      'am; rejected by hook (HTTP 400)',
    );
    expect(
      await registry.getSingleMetricAsString('healstream_escalator_pages_failed_total'),
    ).toContain('reason="rejected"');
  });

  it('never lets a dead letter go to a dead-letter topic: any failure on one is retried', async () => {
    const broken: Sink = {
      name: 'broken',
      kind: 'webhook',
      send: () => Promise.reject(new Error('bug in a sink')),
    };
    const { handler } = setup([broken]);
    const record: EscalatorRecord = {
      logical: 'metrics.dlq',
      topic: 'hs.metrics.dlq',
      partition: 0,
      offset: '0',
      key: 'search',
      value: Buffer.from('x'),
      timestamp: 1,
      headers: {},
    };
    const error = await Promise.resolve(handler.handle(record, () => {})).catch((e: unknown) => e);
    expect(isRetriable(error)).toBe(true);
  });

  it('consumes every pipeline DLQ, and no DLQ of a DLQ', () => {
    const inputs = escalatorInputs(topics).map((i) => i.topic);
    expect(inputs).toContain('hs.healing-outcomes.dlq');
    expect(inputs).toContain('hs.escalation-requests.dlq');
    expect(inputs.filter((t) => t.endsWith('.dlq.dlq'))).toEqual([]);
    expect(
      escalatorInputs(topics)
        .filter((i) => i.topic.endsWith('.dlq'))
        .every((i) => i.record === 'raw'),
    ).toBe(true);
  });
});
