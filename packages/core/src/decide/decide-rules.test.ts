import { describe, expect, it } from 'vitest';
import { parseComponents } from '../components/registry.js';
import { applyOutcome } from './apply-outcome.js';
import { resolveDecisionConfig } from './config.js';
import { decide } from './decide.js';
import { emptyState, restoreState, type EvaluatorState } from './state.js';
import { diagnosisOf, outcomeOf, policiesOf, T0 } from './decide.test-support.js';

const policies = policiesOf(`
- name: B Restart
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [restart-service]
  priority: 8
  cooldown_seconds: 600
- name: A Scale
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [scale-up]
  priority: 8
  cooldown_seconds: 600
- name: C Breaker
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [enable-circuit-breaker]
  priority: 3
  cooldown_seconds: 60
  max_per_hour: 1
- name: D Off
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [fallback-mode]
  priority: 10
  enabled: false
`);

const hot = (at: number, overrides = {}) => diagnosisOf({ x: 50 }, at, overrides);
const step = (
  state: EvaluatorState,
  at: number,
  overrides = {},
  config = resolveDecisionConfig(),
) => decide({ diagnosis: hot(at, overrides), state, policies, config, now: at });

/** Dispatch then report RECOVERED, so only cooldowns and windows remain. */
function healed(
  state: EvaluatorState,
  at: number,
  overrides = {},
  config = resolveDecisionConfig(),
) {
  const r = step(state, at, overrides, config);
  const command = r.commands.find((c) => c.mode === 'ENFORCE');
  return {
    ...r,
    state: command
      ? applyOutcome(r.state, outcomeOf(command, 'RECOVERED', at + 1), at + 1, config)
      : r.state,
  };
}

describe('decide: choosing one policy', () => {
  it('breaks priority ties by name and never picks a disabled policy', () => {
    const { decision } = step(emptyState(), T0);
    expect(decision.policy).toBe('A Scale');
    expect(decision.evaluated.map((e) => [e.policy, e.outcome])).toEqual([
      ['D Off', 'disabled'],
      ['A Scale', 'chosen'],
      ['B Restart', 'lower-priority'],
      ['C Breaker', 'lower-priority'],
    ]);
  });

  it('says NO_MATCH, with every reason, when nothing matches', () => {
    const { decision, commands } = decide({
      diagnosis: diagnosisOf({ x: 1 }, T0),
      state: emptyState(),
      policies,
      now: T0,
    });
    expect(decision.verdict).toBe('NO_MATCH');
    expect(commands).toEqual([]);
    expect(decision.evaluated.find((e) => e.policy === 'A Scale')?.reason).toBe('x 1 is not > 10');
  });

  it('treats a stale metric as not reported', () => {
    const diagnosis = diagnosisOf({ x: 50 }, T0 - 120_000);
    const { decision } = decide({
      diagnosis: { ...diagnosis, eventId: 'e' },
      state: emptyState(),
      policies,
      now: T0,
    });
    expect(decision.verdict).toBe('NO_MATCH');
    expect(decision.evaluated[1]?.reason).toBe('x is stale (last seen 120 s ago)');
  });

  it('derives the command id from incident, policy and attempt', () => {
    const a = step(emptyState(), T0);
    const b = step(emptyState(), T0 + 5000);
    const c = step(emptyState(), T0, { incidentId: 'inc-2' });
    expect(a.commands[0]?.commandId).toBe(b.commands[0]?.commandId);
    expect(a.commands[0]?.commandId).not.toBe(c.commands[0]?.commandId);
  });
});

describe('decide: cooldowns', () => {
  it('start at dispatch, skip the cooling policy for the next one, and end on time', () => {
    let s = healed(emptyState(), T0).state;
    let r = healed(s, T0 + 10_000, { incidentId: 'inc-2' });
    expect(r.decision.policy).toBe('B Restart');
    r = healed(r.state, T0 + 20_000, { incidentId: 'inc-3' });
    expect(r.decision.policy).toBe('C Breaker');
    s = r.state;
    r = step(s, T0 + 30_000, { incidentId: 'inc-4' });
    expect(r.decision.verdict).toBe('SKIPPED_COOLDOWN');
    expect(r.decision.policy).toBe('A Scale');
    r = step(s, T0 + 600_000, { incidentId: 'inc-5' });
    expect(r.decision).toMatchObject({ verdict: 'DISPATCHED', policy: 'A Scale' });
  });

  it('do not start when a policy merely matches', () => {
    const r = step(emptyState(), T0);
    expect(r.decision.evaluated.find((e) => e.policy === 'B Restart')).toMatchObject({
      matched: true,
      outcome: 'lower-priority',
    });
    expect(Object.keys(r.state.cooldowns['payments'] ?? {})).toEqual(['A Scale']);
  });
});

describe('decide: rate limits', () => {
  it('max_per_hour per policy × component falls through to the next policy', () => {
    const only = policies
      .filter((p) => p.name === 'C Breaker' || p.name === 'B Restart')
      .map((p) => ({ ...p, cooldownSeconds: 0 }));
    let state = emptyState();
    const picks: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = decide({
        diagnosis: hot(T0 + i * 1000, { incidentId: `i${i}` }),
        state,
        policies: only,
        now: T0 + i * 1000,
      });
      const c = r.commands[0];
      if (!c) throw new Error('no command');
      state = applyOutcome(r.state, outcomeOf(c, 'RECOVERED', T0 + i * 1000), T0 + i * 1000);
      picks.push(r.decision.policy ?? '');
    }
    expect(picks).toEqual(['B Restart', 'B Restart', 'B Restart']);
    const breakerFirst = only.map((p) => (p.name === 'C Breaker' ? { ...p, priority: 9 } : p));
    state = emptyState();
    const picks2: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = decide({
        diagnosis: hot(T0 + i * 1000, { incidentId: `i${i}` }),
        state,
        policies: breakerFirst,
        now: T0 + i * 1000,
      });
      const c = r.commands[0];
      if (!c) throw new Error('no command');
      state = applyOutcome(r.state, outcomeOf(c, 'RECOVERED', T0 + i * 1000), T0 + i * 1000);
      picks2.push(r.decision.policy ?? '');
    }
    expect(picks2).toEqual(['C Breaker', 'B Restart', 'B Restart']);
  });

  it('caps dispatches per component per hour whatever the policy', () => {
    const config = resolveDecisionConfig({ perComponentPerHour: 2 });
    let s = healed(emptyState(), T0, {}, config).state;
    s = healed(s, T0 + 1000, { incidentId: 'i2' }, config).state;
    const r = step(s, T0 + 2000, { incidentId: 'i3' }, config);
    expect(r.decision.verdict).toBe('SKIPPED_RATE_LIMIT');
    expect(r.decision.reason).toBe('payments reached 2 dispatches in the last hour');
    expect(r.escalations).toEqual([]);
  });

  it('splits the fleet budget across partitions and raises exactly one STORM_BREAKER per window', () => {
    // 24 per minute over 12 partitions: 2 per minute on this partition.
    const config = resolveDecisionConfig({ fleetPerMinute: 24, partitionCount: 12, partition: 3 });
    let state = emptyState();
    const verdicts: string[] = [];
    const storms: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = healed(state, T0 + i * 1000, { incidentId: `i${i}`, component: `c${i}` }, config);
      state = r.state;
      verdicts.push(r.decision.verdict);
      storms.push(...r.escalations.map((e) => e.source));
    }
    expect(verdicts).toEqual([
      'DISPATCHED',
      'DISPATCHED',
      'SKIPPED_RATE_LIMIT',
      'SKIPPED_RATE_LIMIT',
      'SKIPPED_RATE_LIMIT',
      'SKIPPED_RATE_LIMIT',
    ]);
    expect(storms).toEqual(['STORM_BREAKER']);
    const later = healed(state, T0 + 61_000, { incidentId: 'j', component: 'z' }, config);
    expect(later.decision.verdict).toBe('DISPATCHED');
    // Re-armed after the window: the next trip raises a new one.
    let again = healed(later.state, T0 + 62_000, { incidentId: 'k', component: 'y' }, config);
    again = healed(again.state, T0 + 63_000, { incidentId: 'l', component: 'w' }, config);
    expect(again.escalations.map((e) => [e.source, e.dedupKey])).toEqual([
      ['STORM_BREAKER', 'healstream/storm-breaker/minute'],
    ]);
  });
});

describe('decide: the ladder', () => {
  it('moves to the next matching policy after FAILED or NOT_RECOVERED, then escalates once', () => {
    const config = resolveDecisionConfig({ maxAttempts: 5 });
    let state = emptyState();
    const seen: string[] = [];
    const escalations: string[] = [];
    for (let i = 0; i < 5; i++) {
      const at = T0 + i * 30_000;
      const r = step(state, at, {}, config);
      seen.push(`${r.decision.verdict}${r.decision.policy ? ` ${r.decision.policy}` : ''}`);
      escalations.push(...r.escalations.map((e) => e.source));
      state = r.state;
      const c = r.commands[0];
      if (c)
        state = applyOutcome(
          state,
          outcomeOf(c, i === 0 ? 'RECOVERED' : 'NOT_RECOVERED', at + 1, i === 0),
          at + 1,
          config,
        );
    }
    expect(seen).toEqual([
      'DISPATCHED A Scale',
      'DISPATCHED B Restart',
      'DISPATCHED C Breaker',
      'ESCALATE',
      'ESCALATE',
    ]);
    expect(escalations).toEqual(['LADDER_EXHAUSTED']);
  });

  it('escalates after max_attempts dispatches for one incident', () => {
    const config = resolveDecisionConfig({ maxAttempts: 2 });
    let state = emptyState();
    const verdicts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = step(state, T0 + i * 1000, {}, config);
      verdicts.push(r.decision.verdict);
      state = r.state;
      const c = r.commands[0];
      if (c)
        state = applyOutcome(
          state,
          outcomeOf(c, 'NOT_RECOVERED', T0 + i * 1000 + 1),
          T0 + i * 1000 + 1,
          config,
        );
    }
    expect(verdicts).toEqual(['DISPATCHED', 'DISPATCHED', 'ESCALATE']);
  });

  it('closes the ladder on RESOLVED; a later diagnosis of that incident does nothing', () => {
    let r = step(emptyState(), T0);
    r = decide({
      diagnosis: { ...hot(T0 + 5000), kind: 'RESOLVED' },
      state: r.state,
      policies,
      now: T0 + 5000,
    });
    expect(r.decision.verdict).toBe('RESOLVED');
    expect(r.state.incidents['inc-1']?.closedAt).toBe(T0 + 5000);
    expect(step(r.state, T0 + 6000).decision.verdict).toBe('RESOLVED');
  });
});

describe('decide: shadow mode', () => {
  const withShadow = [
    ...policies,
    ...policiesOf(`
- name: S Try
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [rollback-deployment]
  priority: 9
  mode: shadow
`),
  ];

  it('records what the shadow policy would do and lets the enforcing one act, changing no state for it', () => {
    const r = decide({ diagnosis: hot(T0), state: emptyState(), policies: withShadow, now: T0 });
    expect(r.shadow).toMatchObject({ verdict: 'SHADOW', policy: 'S Try' });
    expect(r.decision).toMatchObject({ verdict: 'DISPATCHED', policy: 'A Scale' });
    expect(r.commands.map((c) => [c.policy.name, c.mode])).toEqual([
      ['S Try', 'SHADOW'],
      ['A Scale', 'ENFORCE'],
    ]);
    expect(r.state.cooldowns['payments']).toEqual({ 'A Scale': T0 + 600_000 });
    expect(r.state.dispatches).toHaveLength(1);
    expect(r.state.inFlight['payments']?.policy).toBe('A Scale');
  });
});

describe('decide: validation against components.yaml', () => {
  const components = parseComponents(
    'components:\n  payments:\n    executor: process\n    target: p\n    allowed_actions: [restart-service]\n',
    'components.yaml',
  );
  it('skips policies whose actions are not allowed and says why', () => {
    const r = decide({ diagnosis: hot(T0), state: emptyState(), policies, components, now: T0 });
    expect(r.decision.policy).toBe('B Restart');
    expect(r.decision.evaluated.find((e) => e.policy === 'A Scale')).toMatchObject({
      outcome: 'invalid',
    });
    const none = decide({
      diagnosis: hot(T0, { component: 'billing' }),
      state: emptyState(),
      policies,
      components,
      now: T0,
    });
    expect(none.decision.verdict).toBe('SKIPPED_INVALID');
    expect(none.decision.reason).toContain("UNKNOWN_COMPONENT: unknown component 'billing'");
  });
});

describe('applyOutcome and pruning', () => {
  it('frees the in-flight slot only for the command it holds and ignores shadow outcomes', () => {
    const r = step(emptyState(), T0);
    const c = r.commands[0];
    if (!c) throw new Error('no command');
    expect(
      applyOutcome(r.state, { ...outcomeOf(c, 'RECOVERED', T0 + 1), commandId: 'other' }, T0 + 1)
        .inFlight['payments'],
    ).toBeDefined();
    expect(
      applyOutcome(r.state, { ...outcomeOf(c, 'RECOVERED', T0 + 1), mode: 'SHADOW' }, T0 + 1)
        .inFlight['payments'],
    ).toBeDefined();
    const done = applyOutcome(r.state, outcomeOf(c, 'UNKNOWN', T0 + 1), T0 + 1);
    expect(done.inFlight).toEqual({});
    expect(done.incidents['inc-1']).toMatchObject({
      tried: ['A Scale'],
      history: [{ policy: 'A Scale', result: 'UNKNOWN' }],
    });
  });

  it('forgets expired cooldowns, old windows, lost commands and closed incidents', () => {
    const config = resolveDecisionConfig({ incidentRetentionMs: 60_000 });
    let r = step(emptyState(), T0, {}, config);
    r = decide({
      diagnosis: { ...hot(T0 + 1000), kind: 'RESOLVED' },
      state: r.state,
      policies,
      config,
      now: T0 + 1000,
    });
    const later = decide({
      diagnosis: diagnosisOf({ x: 1 }, T0 + 7_200_000, { incidentId: 'z' }),
      state: r.state,
      policies,
      config,
      now: T0 + 7_200_000,
    });
    expect(later.state).toEqual({
      version: 1,
      cooldowns: {},
      dispatches: [],
      inFlight: {},
      incidents: { z: expect.objectContaining({ closedAt: null }) },
      storm: { minute: null, hour: null },
      approvals: {},
      control: { windows: {}, pauses: {}, acks: {}, overrides: {} },
      flaps: {},
      effectiveness: {},
    });
  });
});

describe('restoreState', () => {
  it('accepts a state read back from JSON and refuses another version', () => {
    const { state } = step(emptyState(), T0);
    const json = JSON.parse(JSON.stringify(state)) as unknown;
    expect(restoreState(json)).toEqual(state);
    expect(() => restoreState({ ...(json as object), version: 2 })).toThrow(/state is invalid/);
  });
});
