import { describe, expect, it } from 'vitest';
import {
  examples,
  isRetriable,
  topicsFor,
  TransientError,
  type Escalation,
} from '@healstream/contracts';
import {
  createLogger,
  PartitionState,
  Registry,
  type Outbound,
  type PartitionContext,
} from '@healstream/runtime';
import { partitionHandler, type EscalatorRecord } from './handler.js';
import { escalatorMetrics } from './metrics.js';
import { OutboxWorker, pending } from './outbox.js';
import type { Routing } from './routing.js';
import { escalatorInputs } from './service.js';
import { SinkAuthError, SinkRejectedError } from './sinks/http.js';
import type { Sink } from './sinks/types.js';
import type { Entry } from './state.js';
import { DeliveredHere } from './delivered-here.js';

const topics = topicsFor('hs.');
const until = async (ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** A sink that does what the test says, and remembers what it was sent. */
function fakeSink(
  name: string,
  behave: (n: number) => 'ok' | 'down' | 'reject' | 'auth',
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
      if (what === 'auth') throw new SinkAuthError(name, 401);
      sink.sent.push(page);
    },
  };
  return sink;
}

/** One ownership of partition 0: what it committed through its producer, and a switch to end it. */
function ownership() {
  const produced: Outbound[][] = [];
  let owned = true;
  const context: PartitionContext = {
    partition: 0,
    owned: () => owned,
    produce: async (records) => {
      if (!owned) throw new Error('not owned');
      produced.push(records);
    },
  };
  return { context, produced, end: () => (owned = false) };
}

const escalationsIn = (produced: Outbound[][]) =>
  produced
    .flat()
    .flatMap((r) => (r.topic === 'hs.escalations' && 'value' in r ? [r.value as Escalation] : []));

function setup(
  sinks: Sink[],
  state = new PartitionState<Entry>(0, 'hs.escalator.state'),
  deliveredHere?: DeliveredHere,
) {
  const routing: Routing = { sinks: [], routes: [], default: sinks.map((s) => s.name) };
  const registry = new Registry();
  const metrics = escalatorMetrics(registry);
  const logger = createLogger('escalator-test', 'silent');
  const owner = ownership();
  const worker = new OutboxWorker(owner.context, state, {
    topics,
    sinks: new Map(sinks.map((s) => [s.name, s])),
    metrics,
    logger,
    deliveredHere,
  });
  const handler = partitionHandler(state, {
    settings: { prefix: 'hs.', dedupWindowMs: 60_000, pageTtlMs: 3_600_000, trailUrl: undefined },
    topics,
    routing,
    teams: new Map(),
    outbox: worker,
    metrics,
    logger,
  });
  return { handler, state, registry, owner, worker };
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

describe('escalator partition handler and outbox', () => {
  it('records the page in the transaction and delivers it after: a sink that is down holds no transaction, and is not called again once it took the page', async () => {
    const am = fakeSink('am', () => 'ok');
    const hook = fakeSink('hook', (n) => (n < 2 ? 'down' : 'ok'));
    const { handler, state, owner, worker } = setup([am, hook]);
    await handler.handle(outcomeRecord(7), () => {});
    expect(am.calls + hook.calls).toBe(0); // nothing is sent inside the transaction
    handler.committed?.();
    expect(pending(state)).toHaveLength(1);
    await until(() => escalationsIn(owner.produced).length === 1);
    await worker.stop();
    expect(am.sent).toHaveLength(1);
    expect(hook.sent).toHaveLength(1);
    expect(hook.calls).toBe(3);
    expect(escalationsIn(owner.produced)).toEqual([
      expect.objectContaining({ channel: 'am,hook', escalationId: am.sent[0]?.escalationId }),
    ]);
    expect(pending(state)).toEqual([]);
  }, 20_000);

  it('after a crash, a new owner calls only the sinks that had not taken the page, and records it once', async () => {
    const first = fakeSink('am', () => 'ok');
    const hook = fakeSink('hook', () => 'down');
    const a = setup([first, hook]);
    await a.handler.handle(outcomeRecord(3), () => {});
    a.handler.committed?.();
    await until(() => first.sent.length === 1 && hook.calls > 0);
    // The instance dies while the hook is down: its outbox entry says am took the page.
    a.owner.end();
    await a.worker.stop();
    const restored = new PartitionState<Entry>(0, 'hs.escalator.state');
    for (const key of a.state.keys()) restored.load(key, a.state.get(key) ?? null);
    expect(pending(restored)[0]).toMatchObject({ delivered: ['am'], delivering: 'hook' });

    const am2 = fakeSink('am', () => 'ok');
    const hook2 = fakeSink('hook', () => 'ok');
    const b = setup([am2, hook2], restored);
    await until(() => escalationsIn(b.owner.produced).length === 1);
    await b.worker.stop();
    expect(am2.calls).toBe(0);
    expect(hook2.sent).toHaveLength(1);
    expect(escalationsIn(a.owner.produced)).toEqual([]);
    expect(escalationsIn(b.owner.produced)[0]?.channel).toBe('am,hook');
  }, 20_000);

  it('an ownership that ends while its sink takes the page: the same process owning it again does not call the sink twice, another instance does with the same dedup key', async () => {
    const deliveredHere = new DeliveredHere();
    const partitionMoves: { now?: () => void } = {};
    // The sink takes the page and, before `delivered` is committed, the partition moves.
    const am = fakeSink('am', () => {
      partitionMoves.now?.();
      return 'ok';
    });
    const a = setup([am], undefined, deliveredHere);
    partitionMoves.now = a.owner.end;
    await a.handler.handle(outcomeRecord(4), () => {});
    a.handler.committed?.();
    await until(() => am.sent.length === 1);
    await a.worker.stop();
    const restore = () => {
      const restored = new PartitionState<Entry>(0, 'hs.escalator.state');
      for (const key of a.state.keys()) restored.load(key, a.state.get(key) ?? null);
      return restored;
    };
    expect(pending(restore())[0]).toMatchObject({ delivered: [], delivering: 'am' });

    const again = fakeSink('am', () => 'ok');
    const b = setup([again], restore(), deliveredHere);
    await until(() => escalationsIn(b.owner.produced).length === 1);
    await b.worker.stop();
    expect(again.calls).toBe(0);
    expect(escalationsIn(b.owner.produced)[0]?.channel).toBe('am');

    const elsewhere = fakeSink('am', () => 'ok');
    const c = setup([elsewhere], restore(), new DeliveredHere());
    await until(() => escalationsIn(c.owner.produced).length === 1);
    await c.worker.stop();
    expect(elsewhere.sent.map((p) => p.dedupKey)).toEqual(am.sent.map((p) => p.dedupKey));
  }, 20_000);

  it('records a rejection (4xx) in the channel and moves on; refused credentials (401) wait and are retried', async () => {
    const am = fakeSink('am', (n) => (n < 2 ? 'auth' : 'ok'));
    const hook = fakeSink('hook', () => 'reject');
    const { handler, registry, owner, worker } = setup([am, hook]);
    await handler.handle(outcomeRecord(1), () => {});
    handler.committed?.();
    await until(() => escalationsIn(owner.produced).length === 1);
    await worker.stop();
    expect(escalationsIn(owner.produced)[0]?.channel).toBe('am; rejected by hook (HTTP 400)');
    const failed = await registry.getSingleMetricAsString(
      'healstream_escalator_pages_failed_total',
    );
    expect(failed).toContain('reason="rejected"');
    expect(failed).toContain('reason="auth"');
    expect(am.sent).toHaveLength(1);
  }, 20_000);

  it('an ownership that ended writes nothing more', async () => {
    const am = fakeSink('am', () => 'down');
    const { handler, owner, worker } = setup([am]);
    await handler.handle(outcomeRecord(2), () => {});
    handler.committed?.();
    await until(() => am.calls > 0);
    owner.end();
    const writes = owner.produced.length;
    await worker.stop();
    await new Promise((r) => setTimeout(r, 200));
    expect(owner.produced.length).toBe(writes);
    expect(escalationsIn(owner.produced)).toEqual([]);
  });

  it('never lets a dead letter go to a dead-letter topic: a failure on one is retried', async () => {
    class Broken extends PartitionState<Entry> {
      override set(): void {
        throw new Error('bug: the state refuses writes');
      }
    }
    const { handler, worker } = setup([], new Broken(0, 'hs.escalator.state'));
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
    const error = await Promise.resolve()
      .then(() => handler.handle(record, () => {}))
      .catch((e: unknown) => e);
    await worker.stop();
    expect(error).toBeInstanceOf(TransientError);
    expect(isRetriable(error)).toBe(true);
  });

  it('pages poison dead-lettered on several partitions once: other partitions hand it to partition 0', async () => {
    const { handler, worker, state } = setup([]);
    const dead = (partition: number, offset: number): EscalatorRecord => ({
      logical: 'metrics.dlq',
      topic: 'hs.metrics.dlq',
      partition,
      offset: String(offset),
      key: `poison-${partition}-${offset}`,
      value: Buffer.from('x'),
      timestamp: 1_000 + offset,
      headers: {},
    });
    const forwarded: Outbound[] = [];
    await handler.handle(dead(1, 0), (out) => forwarded.push(out));
    await handler.handle(dead(2, 0), (out) => forwarded.push(out));
    // Nothing is paged where the dead letters were read: each becomes a request on partition 0.
    expect(pending(state)).toHaveLength(0);
    expect(forwarded.map((r) => [r.topic, r.partition])).toEqual([
      ['hs.escalation-requests', 0],
      ['hs.escalation-requests', 0],
    ]);
    // Partition 0 pages the first and absorbs the second (same topic and error code).
    for (const [i, out] of forwarded.entries()) {
      const request = (out as { value: Escalation }).value;
      expect(request.source).toBe('DEAD_LETTER');
      await handler.handle(
        {
          logical: 'escalation-requests',
          topic: 'hs.escalation-requests',
          partition: 0,
          offset: String(i),
          key: request.dedupKey,
          value: request,
          timestamp: 2_000 + i,
          headers: {},
        },
        () => {},
      );
    }
    await worker.stop();
    expect(pending(state).map((e) => e.page.source)).toEqual(['DEAD_LETTER']);
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
