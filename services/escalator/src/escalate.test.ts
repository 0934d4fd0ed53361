import { describe, expect, it } from 'vitest';
import { examples, type Escalation, type HealingOutcome } from '@healstream/contracts';
import type { EscalatorSettings } from './config.js';
import { escalate, type EscalatorInput } from './escalate.js';
import { RecordScratch } from '@healstream/runtime';
import { prune, type Entry, type KeyValue } from './state.js';

const settings: EscalatorSettings = {
  prefix: 'hs.',
  dedupWindowMs: 60_000,
  pageTtlMs: 3_600_000,
  trailUrl: 'https://trail.example/i/{incident}',
};
const t = examples.HealingOutcome.finishedAt;

function memoryState(): KeyValue<Entry> & { map: Map<string, Entry> } {
  const map = new Map<string, Entry>();
  return {
    map,
    get: (k) => map.get(k),
    set: (k, v) => void map.set(k, v),
    delete: (k) => void map.delete(k),
    keys: () => [...map.keys()],
  };
}

let offset = 0;
const run = (
  state: KeyValue<Entry>,
  input: EscalatorInput,
  now: number,
  topic = 'hs.healing-outcomes',
) => escalate(input, { topic, partition: 0, offset: String(offset++) }, state, now, settings);

const outcome = (
  verification: HealingOutcome['verification'],
  extra: Partial<HealingOutcome> = {},
): EscalatorInput => ({
  kind: 'outcome',
  outcome: { ...examples.HealingOutcome, verification, ...extra },
});

describe('escalate', () => {
  it('pages once for an outcome that did not recover, with actions tried, links and context', () => {
    const state = memoryState();
    run(
      state,
      { kind: 'command', command: examples.HealingCommand },
      t - 1000,
      'hs.healing-commands',
    );
    const failed = run(
      state,
      outcome('NOT_RECOVERED', {
        actions: [
          {
            name: 'restart-service',
            status: 'FAILED',
            durationMs: 40,
            error: 'exit 1',
            detail: null,
          },
        ],
      }),
      t,
    );
    expect(failed.deliver).toHaveLength(1);
    const page = failed.deliver[0] as Escalation;
    expect(page).toMatchObject({
      source: 'HEALING_FAILED',
      severity: 'CRITICAL',
      status: 'TRIGGERED',
      component: 'payments',
      dedupKey: 'healstream/incident/inc-payments-1',
    });
    expect(page.actionsTried).toEqual([
      'Critical Latency Spike (attempt 1): restart-service → FAILED in 40 ms (exit 1); verification NOT_RECOVERED (health check 200 after 1.1s)',
    ]);
    expect(page.details).toContain('latency_p99 600 > 500');
    expect(page.links[0]).toBe('https://trail.example/i/inc-payments-1');
    const again = run(state, outcome('UNKNOWN', { attempt: 2 }), t + 1000);
    expect(again.deliver).toEqual([]);
    expect(again.suppressed).toHaveLength(1);
  });

  it('sends the page again, under the same dedup key, when the ladder gives up on the incident', () => {
    const state = memoryState();
    const [first] = run(state, outcome('NOT_RECOVERED'), t).deliver;
    const request = {
      ...examples.Escalation,
      source: 'LADDER_EXHAUSTED' as const,
      dedupKey: first?.dedupKey ?? '',
      actionsTried: [],
    };
    const update = run(state, { kind: 'request', escalation: request }, t + 2000);
    expect(update.deliver).toEqual([
      expect.objectContaining({
        source: 'LADDER_EXHAUSTED',
        dedupKey: first?.dedupKey,
        actionsTried: first?.actionsTried,
      }),
    ]);
    expect(run(state, { kind: 'request', escalation: request }, t + 3000).suppressed).toHaveLength(
      1,
    );
    // ...and the incident's recovery resolves both pages sent under the key, each as it was sent.
    expect(run(state, outcome('RECOVERED', { attempt: 2 }), t + 4000).deliver).toEqual([
      expect.objectContaining({
        status: 'RESOLVED',
        dedupKey: first?.dedupKey,
        source: 'HEALING_FAILED',
        escalationId: first?.escalationId,
      }),
      expect.objectContaining({
        status: 'RESOLVED',
        dedupKey: first?.dedupKey,
        source: 'LADDER_EXHAUSTED',
      }),
    ]);
  });

  it('resolves the open page of an incident when it recovers, once', () => {
    const state = memoryState();
    const [page] = run(state, outcome('NOT_RECOVERED'), t).deliver;
    const recovered = run(state, outcome('RECOVERED', { attempt: 2 }), t + 5000);
    expect(recovered.deliver).toEqual([
      expect.objectContaining({
        status: 'RESOLVED',
        escalationId: page?.escalationId,
        dedupKey: page?.dedupKey,
        createdAt: t + 5000,
      }),
    ]);
    expect(run(state, outcome('RECOVERED', { attempt: 3 }), t + 6000).deliver).toEqual([]);
  });

  it('does not page for a recovered outcome with no failed action, nor for shadow mode', () => {
    const state = memoryState();
    expect(run(state, outcome('RECOVERED'), t).deliver).toEqual([]);
    expect(run(state, outcome('NOT_RECOVERED', { mode: 'SHADOW' }), t).deliver).toEqual([]);
    expect(
      run(
        state,
        {
          kind: 'command',
          command: {
            ...examples.HealingCommand,
            mode: 'SHADOW',
            actions: [{ name: 'alert-oncall', params: {} }],
          },
        },
        t,
      ).deliver,
    ).toEqual([]);
  });

  it('pages for a command with alert-oncall, using its severity and message', () => {
    const state = memoryState();
    const command = {
      ...examples.HealingCommand,
      actions: [
        { name: 'alert-oncall', params: { severity: 'warning', message: 'look at payments' } },
      ],
    };
    const [page] = run(state, { kind: 'command', command }, t, 'hs.healing-commands').deliver;
    expect(page).toMatchObject({
      source: 'POLICY_ACTION',
      severity: 'WARNING',
      summary: 'look at payments',
    });
  });

  it('raises exactly one page for a storm of requests with one dedup key, again after the window', () => {
    const state = memoryState();
    const storm: Escalation = {
      ...examples.Escalation,
      source: 'STORM_BREAKER',
      dedupKey: 'healstream/storm-breaker/partition-0/minute',
    };
    const pages = Array.from(
      { length: 50 },
      (_, i) =>
        run(
          state,
          { kind: 'request', escalation: { ...storm, escalationId: `s-${i}` } },
          t + i,
          'hs.escalation-requests',
        ).deliver,
    ).flat();
    expect(pages.map((p) => p.escalationId)).toEqual(['s-0']);
    expect(
      run(state, { kind: 'request', escalation: storm }, t + 61_000, 'hs.escalation-requests')
        .deliver,
    ).toHaveLength(1);
  });

  it('does not resolve a storm page when the incident it names recovers', () => {
    const state = memoryState();
    run(
      state,
      {
        kind: 'request',
        escalation: { ...examples.Escalation, source: 'STORM_BREAKER', dedupKey: 'storm' },
      },
      t,
      'hs.escalation-requests',
    );
    expect(run(state, outcome('RECOVERED'), t + 1).deliver).toEqual([]);
  });

  it('pages a dead letter with where it came from and why', () => {
    const state = memoryState();
    const dead: EscalatorInput = {
      kind: 'dead-letter',
      dead: {
        dlqTopic: 'hs.metrics.dlq',
        key: 'search',
        size: 5,
        originalTopic: 'hs.metrics',
        originalPartition: '2',
        originalOffset: '17',
        service: 'detector',
        errorClass: 'PoisonRecordError',
        errorCode: 'BAD_FRAMING',
        errorMessage: 'no magic byte',
      },
    };
    const [page] = run(state, dead, t, 'hs.metrics.dlq').deliver;
    expect(page).toMatchObject({
      source: 'DEAD_LETTER',
      component: 'metrics',
      incidentId: null,
      dedupKey: 'healstream/dead-letter/metrics/BAD_FRAMING',
    });
    expect(page?.details).toContain('hs.metrics partition 2 offset 17');
    expect(page?.details).toContain('no magic byte');
    expect(run(state, dead, t + 1, 'hs.metrics.dlq').deliver).toEqual([]);
    // Poison under other keys, same topic and error: still the one page, not one per key.
    for (let i = 0; i < 50; i++)
      expect(
        run(
          state,
          { ...dead, dead: { ...dead.dead, key: `random-${i}` } },
          t + 2 + i,
          'hs.metrics.dlq',
        ).deliver,
      ).toEqual([]);
    // Another error on the same topic is another page.
    expect(
      run(
        state,
        { ...dead, dead: { ...dead.dead, errorCode: 'DECODE_FAILED' } },
        t + 60,
        'hs.metrics.dlq',
      ).deliver,
    ).toHaveLength(1);
  });

  it('keeps state bounded: notes and pages are pruned, actions tried are capped', () => {
    const state = memoryState();
    for (let i = 0; i < 30; i++) run(state, outcome('NOT_RECOVERED', { attempt: i }), t + i);
    const notes = state.get('incident:inc-payments-1');
    expect(notes?.kind === 'incident' && notes.actionsTried.length).toBe(20);
    run(
      state,
      {
        kind: 'request',
        escalation: {
          ...examples.Escalation,
          incidentId: null,
          source: 'DEAD_LETTER',
          dedupKey: 'dl',
        },
      },
      t,
      'hs.escalation-requests',
    );
    expect(prune(state, t + 61_000, settings)).toBe(1); // the dead-letter-like page, after its window
    expect(prune(state, t + 3_700_000, settings)).toBe(2); // the incident's page and notes, after the TTL
    expect(state.map.size).toBe(0);
  });

  it('changes nothing until a scratch is applied', () => {
    const state = memoryState();
    const scratch = new RecordScratch(state);
    run(scratch, outcome('NOT_RECOVERED'), t);
    expect(state.map.size).toBe(0);
    scratch.apply();
    expect(state.map.size).toBe(2);
  });
});
