import type { HealingCommand } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { resolveDecisionConfig } from './config.js';
import { diagnosisOf, outcomeOf, policiesOf, T0 } from './decide.test-support.js';
import { encodeEvaluatorKey } from './keyed-encode.js';
import { sliceKey, type ComponentSlice } from './keyed-state.js';
import { EvaluatorStore } from './keyed-store.js';
import { MemoryStore } from './keyed-store.test-support.js';

const policies = policiesOf(`
- name: restart
  conditions: [{ metric: error_rate, operator: gt, threshold: 0.1 }]
  actions: [restart-service]
  priority: 5
  cooldown_seconds: 30
- name: scale
  conditions: [{ metric: latency_p99, operator: gt, threshold: 500 }]
  actions: [scale-up]
  priority: 6
  cooldown_seconds: 60
`);

const config = resolveDecisionConfig({
  partitionCount: 1,
  fleetPerMinute: 50,
  fleetPerHour: 1000,
  incidentRetentionMs: 600_000,
});

/**
 * Every key a stream of diagnoses and outcomes (re-opened causes, so effectiveness records
 * settle and fail) writes, after each of its transactions, with the text the store encodes.
 */
function written(): { key: string; value: unknown; encoded: string }[] {
  const memory = new MemoryStore();
  const store = new EvaluatorStore(memory, config);
  store.open();
  const out: { key: string; value: unknown; encoded: string }[] = [];
  let x = 5;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pending: HealingCommand[] = [];
  for (let i = 0; i < 1200; i++) {
    const at = T0 + i * 2000;
    if (pending.length > 0 && rand() < 0.3) {
      const c = pending.shift()!;
      store.applyOutcome(outcomeOf(c, rand() < 0.6 ? 'RECOVERED' : 'NOT_RECOVERED', at), at);
    }
    const c = Math.floor(rand() * 4);
    const k = Math.floor(i / 30);
    const result = store.decide({
      diagnosis: diagnosisOf({ error_rate: rand() * 0.3, latency_p99: 100 + rand() * 800 }, at, {
        eventId: `e${i}`,
        incidentId: `c${c}-${k}`,
        component: `c${c}`,
        kind: i % 30 === 29 ? 'RESOLVED' : 'ANOMALY',
        causes: [
          { cause: rand() < 0.5 ? 'overload' : 'bad_deploy', confidence: 0.9, evidence: [] },
        ],
      }),
      policies,
      config,
      now: at,
    });
    for (const cmd of result.commands) if (cmd.mode === 'ENFORCE') pending.push(cmd);
    if (i % 10 === 9) {
      store.sweep();
      for (const key of memory.keys()) {
        const value = memory.get(key);
        out.push({ key, value, encoded: encodeEvaluatorKey(key, value) });
      }
      memory.commit();
    }
  }
  return out;
}

describe('the changelog text of the evaluator state', () => {
  it('is byte for byte what JSON.stringify writes, for every key of every transaction', () => {
    const records = written();
    const wrong = records.filter((r) => r.encoded !== JSON.stringify(r.value));
    expect(wrong.map((r) => r.key)).toEqual([]);
    // The stream reaches what the slices are assembled from: closed incidents kept for their
    // retention and effectiveness records, in slices written again and again.
    const slices = records.filter((r) => r.key.startsWith('c/')).map((r) => r.value);
    expect(slices.length).toBeGreaterThan(300);
    const closed = (s: ComponentSlice) =>
      Object.values(s.incidents).filter((inc) => inc.closedAt !== null).length;
    expect(Math.max(...slices.map((s) => closed(s as ComponentSlice)))).toBeGreaterThan(2);
    expect(slices.some((s) => Object.keys((s as ComponentSlice).effectiveness).length > 0)).toBe(
      true,
    );
  });

  it('reuses an unchanged incident’s text: incidents the store holds change only by copy', () => {
    const incident = {
      component: 'c0',
      openedAt: T0,
      lastSeenAt: T0,
      closedAt: T0 + 1000,
      attempts: 0,
      tried: [],
      escalated: false,
      history: [],
      holds: {},
      controlPaged: [],
      cause: '',
      flap: null,
    };
    const slice: ComponentSlice = {
      cooldowns: {},
      inFlight: null,
      incidents: { 'c0-1': incident },
      flaps: {},
      effectiveness: {},
    };
    const first = encodeEvaluatorKey(sliceKey('c0'), slice);
    expect(first).toBe(JSON.stringify(slice));
    // Changed in place, against the rule (editIncident copies): the kept text is what shows.
    incident.lastSeenAt = T0 + 5000;
    expect(encodeEvaluatorKey(sliceKey('c0'), slice)).toBe(first);
    // A copy, as editIncident makes, is written as it is.
    const copy = { ...slice, incidents: { 'c0-1': { ...incident } } };
    expect(encodeEvaluatorKey(sliceKey('c0'), copy)).toBe(JSON.stringify(copy));
  });

  it('writes what is not a slice as JSON.stringify does', () => {
    const odd = { incidents: {}, cooldowns: {} };
    expect(encodeEvaluatorKey(sliceKey('c0'), odd)).toBe(JSON.stringify(odd));
    expect(encodeEvaluatorKey('partition', { version: 1, dispatches: [] })).toBe(
      '{"version":1,"dispatches":[]}',
    );
  });
});
