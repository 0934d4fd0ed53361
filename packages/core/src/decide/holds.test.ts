import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicies } from '../policy/parse.js';
import { decide } from './decide.js';
import { diagnosisOf, policiesOf, T0 } from './decide.test-support.js';
import { emptyState, restoreState, type EvaluatorState } from './state.js';

const held = policiesOf(`
- name: Restart
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [restart-service]
  for: 10s
`);

/** One evaluation of `x` at `seconds` after T0, on incident inc-1. */
function step(state: EvaluatorState, x: number, seconds: number, policies = held) {
  const at = T0 + seconds * 1000;
  return decide({ diagnosis: diagnosisOf({ x }, at), state, policies, now: at });
}

describe('for: a policy acts only once its conditions have held', () => {
  it('holds, says how long in the reason, and acts once for: has passed', () => {
    const first = step(emptyState(), 20, 0);
    expect(first.commands).toEqual([]);
    expect(first.decision.verdict).toBe('NO_MATCH');
    expect(first.decision.reason).toBe('Restart: x 20 > 10; held: condition true for 0s of 10s');
    const second = step(first.state, 25, 2);
    expect(second.decision.evaluated[0]).toMatchObject({
      outcome: 'held',
      reason: 'x 25 > 10; held: condition true for 2s of 10s',
    });
    const third = step(second.state, 25, 10);
    expect(third.decision.verdict).toBe('DISPATCHED');
    expect(third.decision.reason).toBe('Restart (priority 5): x 25 > 10; held 10s (for: 10s)');
  });

  it('starts over when an evaluation finds the conditions false', () => {
    let state = step(emptyState(), 20, 0).state;
    state = step(state, 5, 4).state;
    const again = step(state, 20, 8);
    expect(again.decision.reason).toBe('Restart: x 20 > 10; held: condition true for 0s of 10s');
    expect(step(again.state, 20, 12).commands).toEqual([]);
    expect(step(again.state, 20, 18).commands).toHaveLength(1);
  });

  it('keeps the hold in the state the changelog stores, so a restart does not reset it', () => {
    const before = step(emptyState(), 20, 0).state;
    const restored = restoreState(JSON.parse(JSON.stringify(before)));
    expect(restored.incidents['inc-1']?.holds).toEqual({ Restart: T0 });
    expect(step(restored, 20, 10).decision.verdict).toBe('DISPATCHED');
  });

  it('reads a state written before holds existed', () => {
    const old = JSON.parse(JSON.stringify(step(emptyState(), 5, 0).state));
    delete old.incidents['inc-1'].holds;
    expect(restoreState(old).incidents['inc-1']?.holds).toEqual({});
  });

  it('says cooldown, not held, for a policy that could not act anyway', () => {
    let state = step(emptyState(), 20, 0).state;
    state = step(state, 20, 10).state; // dispatched
    state = { ...state, inFlight: {} };
    const at = T0 + 30_000;
    const next = decide({
      diagnosis: diagnosisOf({ x: 20 }, at, { incidentId: 'inc-2' }),
      state,
      policies: held,
      now: at,
    });
    expect(next.decision.verdict).toBe('SKIPPED_COOLDOWN');
    expect(next.decision.evaluated[0]?.outcome).toBe('cooldown');
  });

  it('a policy without for: acts on the first evaluation', () => {
    const atOnce = held.map((p) => ({ ...p, forMs: 0 }));
    expect(step(emptyState(), 20, 0, atOnce).decision.verdict).toBe('DISPATCHED');
  });

  it('parses durations as Prometheus writes them, and numbers as seconds', () => {
    const forOf = (value: string) =>
      policiesOf(`
- name: P
  conditions: [{metric: x, operator: gt, threshold: 1}]
  actions: [restart-service]
  for: ${value}
`)[0]?.forMs;
    expect([forOf('10s'), forOf('500ms'), forOf('2m'), forOf('1.5'), forOf('0')]).toEqual([
      10_000, 500, 120_000, 1500, 0,
    ]);
    expect(() => forOf('ten seconds')).toThrow(/for: must be a duration such as '10s'/);
  });

  it('the shipped default policies never act on one 540 ms latency sample', () => {
    const shipped = parsePolicies(
      readFileSync(new URL('../../../../policies/default.yaml', import.meta.url), 'utf8'),
      'default.yaml',
    );
    const blip = { latency_p99: 540, error_rate: 0.01, throughput: 900 };
    const result = decide({
      diagnosis: diagnosisOf(blip, T0),
      state: emptyState(),
      policies: shipped,
      now: T0,
    });
    expect(result.commands).toEqual([]);
    expect(result.decision.reason).toContain('held: condition true for 0s of 10s');
  });
});
