import type {
  ControlRecord,
  Diagnosis,
  Escalation,
  HealingCommand,
  HealingDecision,
  HealingOutcome,
} from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { applyControl } from '../control/apply.js';
import { controlRecord } from '../control/control.test-support.js';
import { applyApproval, settleApprovals, type ApprovalEffects } from './approval-settle.js';
import { applyOutcome } from './apply-outcome.js';
import { resolveDecisionConfig } from './config.js';
import { decide } from './decide.js';
import { diagnosisOf, outcomeOf, policiesOf, T0 } from './decide.test-support.js';
import {
  LEGACY_STATE_KEY,
  PARTITION_KEY,
  SLICE_PREFIX,
  sliceKey,
  viewOf,
  type ComponentSlice,
  type PartitionPart,
} from './keyed-state.js';
import { EvaluatorStore, approvalsChanged } from './keyed-store.js';
import { MemoryStore } from './keyed-store.test-support.js';
import { emptyState, pruneState, type EvaluatorState } from './state.js';

const policies = policiesOf(`
- name: restart
  conditions: [{ metric: error_rate, operator: gt, threshold: 0.1 }]
  actions: [restart-service]
  priority: 5
  cooldown_seconds: 60
- name: scale
  conditions: [{ metric: latency_p99, operator: gt, threshold: 500 }]
  actions: [scale-up]
  priority: 6
  cooldown_seconds: 120
- name: roll back
  conditions: [{ metric: error_rate, operator: gt, threshold: 0.25 }]
  actions: [rollback-deployment]
  priority: 8
  cooldown_seconds: 300
  approval: { timeout: 2m, on_timeout: run }
`);

const config = resolveDecisionConfig({
  partitionCount: 1,
  fleetPerMinute: 4,
  fleetPerHour: 40,
  maxIncidents: 6,
  idleIncidentMs: 600_000,
  incidentRetentionMs: 300_000,
});

type Input =
  | { kind: 'diagnosis'; value: Diagnosis }
  | { kind: 'outcome'; value: HealingOutcome }
  | { kind: 'control'; value: ControlRecord };

interface Out {
  decisions: HealingDecision[];
  commands: HealingCommand[];
  escalations: Escalation[];
}

const timeOf = (r: Input) =>
  r.kind === 'control'
    ? r.value.createdAt
    : r.kind === 'outcome'
      ? r.value.finishedAt
      : r.value.diagnosedAt;

const effectsOut = (fx: ApprovalEffects): Out =>
  approvalsChanged(fx)
    ? { decisions: fx.decisions, commands: fx.commands, escalations: fx.escalations }
    : { decisions: [], commands: [], escalations: [] };

/** The evaluator as it was: the whole partition as one state, each step over all of it. */
function wholeStep(state: EvaluatorState, r: Input): { state: EvaluatorState; out: Out } {
  const at = timeOf(r);
  const fx =
    r.kind === 'control' && r.value.kind === 'APPROVAL'
      ? applyApproval(state, r.value, at, config)
      : settleApprovals(state, at, config);
  const out = effectsOut(fx);
  if (approvalsChanged(fx)) state = fx.state;
  if (r.kind === 'control') {
    if (r.value.kind !== 'APPROVAL') state = applyControl(state, r.value).state;
    return { state, out };
  }
  if (r.kind === 'outcome') return { state: applyOutcome(state, r.value, at, config), out };
  const result = decide({ diagnosis: r.value, state, policies, config, now: at });
  out.decisions.push(result.decision, ...(result.shadow ? [result.shadow] : []));
  out.commands.push(...result.commands);
  out.escalations.push(...result.escalations);
  return { state: result.state, out };
}

/** The same record through the keyed store. */
function keyedStep(store: EvaluatorStore, r: Input): Out {
  const at = timeOf(r);
  const fx =
    r.kind === 'control' && r.value.kind === 'APPROVAL'
      ? store.applyApproval(r.value, at)
      : store.settleApprovals(at);
  const out = effectsOut(fx);
  if (r.kind === 'control') {
    if (r.value.kind !== 'APPROVAL') store.applyControl(r.value);
    return out;
  }
  if (r.kind === 'outcome') {
    store.applyOutcome(r.value, at);
    return out;
  }
  const result = store.decide({ diagnosis: r.value, policies, config, now: at });
  out.decisions.push(result.decision, ...(result.shadow ? [result.shadow] : []));
  out.commands.push(...result.commands);
  out.escalations.push(...result.escalations);
  return out;
}

/** Diagnoses over `components`, outcomes of what went out, acks of any incident, answers. */
function* records(n: number, components: number, seed = 11): Generator<Input, void, Out> {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pending: HealingCommand[] = [];
  const asked: string[] = [];
  const incident = new Map<number, number>();
  let at = T0;
  for (let i = 0; i < n; i++) {
    at += 1000 + Math.floor(rand() * 20_000);
    const roll = rand();
    let out: Out;
    if (roll < 0.12 && pending.length > 0) {
      const c = pending.splice(Math.floor(rand() * pending.length), 1)[0]!;
      out = yield {
        kind: 'outcome',
        value: outcomeOf(c, rand() < 0.5 ? 'RECOVERED' : 'NOT_RECOVERED', at),
      };
    } else if (roll < 0.16) {
      const c = Math.floor(rand() * components);
      out = yield {
        kind: 'control',
        value: controlRecord({
          controlId: `ack:${i}`,
          kind: 'ACKNOWLEDGE',
          incidentId: `c${c}-${incident.get(c) ?? 0}`,
          createdAt: at,
        }),
      };
    } else if (roll < 0.3 && asked.length > 0) {
      const commandId = asked.splice(Math.floor(rand() * asked.length), 1)[0]!;
      out = yield {
        kind: 'control',
        value: controlRecord({
          controlId: `approval:${commandId}`,
          kind: 'APPROVAL',
          commandId,
          approved: rand() < 0.5,
          createdAt: at,
        }),
      };
    } else {
      const c = Math.floor(rand() * components);
      const k = incident.get(c) ?? 0;
      const resolved = rand() < 0.08;
      if (resolved) incident.set(c, k + 1);
      out = yield {
        kind: 'diagnosis',
        value: diagnosisOf({ error_rate: rand() * 0.4, latency_p99: 100 + rand() * 700 }, at, {
          eventId: `e${i}`,
          incidentId: `c${c}-${k}`,
          component: `c${c}`,
          kind: resolved ? 'RESOLVED' : 'ANOMALY',
          causes: [
            { cause: rand() < 0.5 ? 'bad_deploy' : 'overload', confidence: 0.8, evidence: [] },
          ],
        }),
      };
    }
    for (const c of out.commands) if (c.mode === 'ENFORCE') pending.push(c);
    for (const d of out.decisions)
      if (d.verdict === 'PENDING_APPROVAL' && d.commandId) asked.push(d.commandId);
  }
}

/** Every key of the store as one state, pruned at `now` like the whole state is compared. */
function assembled(store: MemoryStore): EvaluatorState {
  const part = store.get(PARTITION_KEY) as PartitionPart;
  const slices = store
    .keys()
    .filter((k) => k.startsWith(SLICE_PREFIX))
    .map((k) => [k.slice(SLICE_PREFIX.length), store.get(k) as ComponentSlice] as const);
  return viewOf(part, slices);
}

const normal = (s: EvaluatorState, now: number) =>
  JSON.parse(JSON.stringify(pruneState(s, now, { ...config, maxIncidents: 1e9 }))) as unknown;

describe('the evaluator state keyed per component', () => {
  it('decides every record as the single whole state did, and holds the same state', () => {
    const memory = new MemoryStore();
    const store = new EvaluatorStore(memory, config);
    store.open();
    let whole = emptyState();
    const gen = records(3000, 9);
    let next = gen.next({ decisions: [], commands: [], escalations: [] });
    const verdicts = new Set<string>();
    let at = T0;
    let n = 0;
    while (!next.done) {
      const r = next.value;
      at = timeOf(r);
      const before = whole;
      const step = wholeStep(before, r);
      whole = step.state;
      const keyed = keyedStep(store, r);
      expect(keyed, `record ${n} (${r.kind} at ${at})`).toEqual(step.out);
      for (const d of keyed.decisions) verdicts.add(d.verdict);
      if (++n % 7 === 0) {
        store.sweep();
        memory.commit();
      }
      next = gen.next(keyed);
    }
    store.sweep();
    memory.commit();
    expect(normal(assembled(memory), at)).toEqual(normal(whole, at));
    // The stream reaches what spans components: budgets, approvals, acks, the incident cap.
    for (const v of [
      'DISPATCHED',
      'SKIPPED_RATE_LIMIT',
      'PENDING_APPROVAL',
      'APPROVED',
      'DENIED',
      'SKIPPED_ACKNOWLEDGED',
      'RESOLVED',
    ])
      expect([...verdicts]).toContain(v);
  });
});

const DEFAULTS = resolveDecisionConfig({ partitionCount: 1 });

/** A state written as one key, with `n` open incidents over `n / 10` components. */
function legacyState(n: number, now: number): EvaluatorState {
  const state = emptyState();
  for (let i = 0; i < n; i++) {
    const component = `svc-${Math.floor(i / 10)}`;
    state.incidents[`${component}-${i}`] = {
      component,
      openedAt: now - 60_000,
      lastSeenAt: now - 1000,
      closedAt: null,
      attempts: 1,
      tried: [],
      escalated: false,
      history: [],
      holds: {},
      controlPaged: [],
      cause: 'overload',
      flap: null,
    };
    state.cooldowns[component] = { restart: now + 60_000 };
  }
  return state;
}

/** The changelog records of one decision for a component new to a partition of `n` incidents. */
function oneDecision(n: number) {
  const now = T0 + 3_600_000;
  const memory = new MemoryStore();
  memory.load(LEGACY_STATE_KEY, JSON.parse(JSON.stringify(legacyState(n, now))));
  const store = new EvaluatorStore(memory, DEFAULTS);
  store.open();
  const upgrade = memory.commit();
  const diagnosis = diagnosisOf({ error_rate: 0.2 }, now, {
    incidentId: 'new-1',
    component: 'new',
  });
  const result = store.decide({ diagnosis, policies, config: DEFAULTS, now });
  store.sweep();
  const records = memory.commit();
  const bytes = records.reduce((sum, r) => sum + (r.value?.length ?? 0), 0);
  return { upgrade, records, bytes, result, store };
}

describe('what one decision writes to the changelog', () => {
  it('stays the same few keys and bytes whether the partition holds 100 or 10,000 incidents', () => {
    const small = oneDecision(100);
    const large = oneDecision(10_000);
    expect(large.store.incidentCount).toBe(10_001);
    expect(large.result.decision.verdict).toBe('DISPATCHED');
    // The new component's slice and the partition part (its rate window took the dispatch).
    expect(large.records.map((r) => r.key).sort()).toEqual([sliceKey('new'), PARTITION_KEY]);
    expect(large.records.map((r) => r.key)).toEqual(small.records.map((r) => r.key));
    expect(large.bytes).toBe(small.bytes);
    expect(large.bytes).toBeLessThan(4000);
    // The state as one key was all of it: the split wrote it once, and each decision since a slice.
    expect(large.upgrade.reduce((sum, r) => sum + (r.value?.length ?? 0), 0)).toBeGreaterThan(
      100 * large.bytes,
    );
  });

  it('keeps the partition at its incident cap by writing only the slice that loses one', () => {
    const { store } = oneDecision(10_000);
    const memory = (store as unknown as { store: MemoryStore }).store;
    const now = T0 + 3_600_000 + 1000;
    const diagnosis = diagnosisOf({ error_rate: 0.2 }, now, {
      incidentId: 'new-2',
      component: 'new-2',
    });
    store.decide({ diagnosis, policies, config: DEFAULTS, now });
    const records = memory.commit();
    // svc-0 held the least recently seen incident (ties: the first): it goes over the cap.
    expect(records.map((r) => r.key).sort()).toEqual(['c/new-2', 'c/svc-0', PARTITION_KEY]);
    expect(store.incidentCount).toBe(10_001);
  });
});

describe('restoring a state written as one key', () => {
  it('splits it into the partition part and a slice per component, and deletes the old key', () => {
    const now = T0 + 3_600_000;
    let whole = legacyState(20, now);
    whole = applyControl(
      whole,
      controlRecord({
        controlId: 'ack:1',
        kind: 'ACKNOWLEDGE',
        incidentId: 'svc-1-12',
        createdAt: now,
      }),
    ).state;
    const memory = new MemoryStore();
    memory.load(LEGACY_STATE_KEY, JSON.parse(JSON.stringify(whole)));
    new EvaluatorStore(memory, DEFAULTS).open();
    const records = memory.commit();
    expect(records.map((r) => r.key).sort()).toEqual([
      'c/svc-0',
      'c/svc-1',
      LEGACY_STATE_KEY,
      PARTITION_KEY,
    ]);
    expect(records.find((r) => r.key === LEGACY_STATE_KEY)?.value).toBeNull();
    expect(memory.get(LEGACY_STATE_KEY)).toBeUndefined();
    expect(Object.keys((memory.get('c/svc-1') as ComponentSlice).incidents)).toHaveLength(10);
    expect((memory.get(PARTITION_KEY) as PartitionPart).control.acks['svc-1-12']?.controlId).toBe(
      'ack:1',
    );

    // Restored again from what was written, it decides as the old state would have.
    const again = new MemoryStore();
    for (const [k, v] of memory.committed) again.load(k, v);
    const store = new EvaluatorStore(again, DEFAULTS);
    store.open();
    const diagnosis = diagnosisOf({ latency_p99: 600 }, now + 1000, {
      incidentId: 'svc-1-12',
      component: 'svc-1',
    });
    const input = { diagnosis, policies, config: DEFAULTS, now: now + 1000 };
    const keyed = store.decide(input);
    expect(keyed.decision.verdict).toBe('SKIPPED_ACKNOWLEDGED');
    expect(keyed.decision).toEqual(decide({ ...input, state: whole }).decision);
  });

  it('refuses a slice this version cannot read', () => {
    const memory = new MemoryStore();
    memory.load('c/payments', { incidents: { x: { component: 1 } } });
    expect(() => new EvaluatorStore(memory, DEFAULTS).open()).toThrow(/STATE_INVALID|invalid/);
  });
});

describe('idle component state', () => {
  it('is deleted (a tombstone) once nothing in it can matter any more', () => {
    const memory = new MemoryStore();
    const store = new EvaluatorStore(memory, DEFAULTS);
    store.open();
    const at = (i: number) => T0 + i * 60_000;
    const quiet = { incidentId: 'q-1', component: 'quiet' };
    store.decide({
      diagnosis: diagnosisOf({ error_rate: 0.01 }, at(0), quiet),
      policies,
      config: DEFAULTS,
      now: at(0),
    });
    store.decide({
      diagnosis: diagnosisOf({ error_rate: 0.01 }, at(1), { ...quiet, kind: 'RESOLVED' }),
      policies,
      config: DEFAULTS,
      now: at(1),
    });
    store.sweep();
    memory.commit();
    expect(memory.get('c/quiet')).toBeDefined();
    // Only another component speaks from now on; the closed incident outlives its retention.
    const busy = { incidentId: 'b-1', component: 'busy' };
    let evicted: { key: string; value: string | null } | undefined;
    let when = -1;
    for (let i = 2; i < 90 && !evicted; i++) {
      store.decide({
        diagnosis: diagnosisOf({ error_rate: 0.01 }, at(i), busy),
        policies,
        config: DEFAULTS,
        now: at(i),
      });
      store.sweep();
      evicted = memory.commit().find((r) => r.key === 'c/quiet');
      when = i;
    }
    expect(evicted?.value).toBeNull();
    // Closed at minute 1, kept for the retention (an hour), gone at the first step after it.
    expect(when).toBe(62);
    expect(memory.get('c/quiet')).toBeUndefined();
  });
});
