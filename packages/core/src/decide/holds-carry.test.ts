import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { resolveDecisionConfig, type DecisionConfigInput } from './config.js';
import { diagnosisOf, policiesOf, T0 } from './decide.test-support.js';
import { emptyState, type EvaluatorState } from './state.js';

const held = policiesOf(`
- name: Restart
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [restart-service]
  for: 10s
`);

/** One evaluation of `x` at `seconds` after T0 on `incident`; `resolved` closes it. */
function step(
  state: EvaluatorState,
  x: number,
  seconds: number,
  incidentId: string,
  options: { resolved?: boolean; config?: DecisionConfigInput } = {},
) {
  const at = T0 + seconds * 1000;
  return decide({
    diagnosis: diagnosisOf({ x }, at, {
      incidentId,
      ...(options.resolved ? { kind: 'RESOLVED' as const } : {}),
    }),
    state,
    policies: held,
    config: resolveDecisionConfig({ partitionCount: 1, ...options.config }),
    now: at,
  });
}

/** x > 10 at 0 s and 5 s on inc-1, resolved at 8 s, inc-2 opens at `reopen` s with x > 10. */
const CARRY = { holdCarryMs: 30_000 };

function flicker(reopen: number, config: DecisionConfigInput = CARRY, lastX = 20) {
  let state = step(emptyState(), 20, 0, 'inc-1', { config }).state;
  state = step(state, lastX, 5, 'inc-1', { config }).state;
  state = step(state, 0, 8, 'inc-1', { resolved: true, config }).state;
  return step(state, 20, reopen, 'inc-2', { config });
}

describe('holds carry over an incident that re-opens moments after it resolved', () => {
  it('a re-opening within holdCarryMs keeps the hold begun in the incident before', () => {
    const out = flicker(12);
    expect(out.decision.verdict).toBe('DISPATCHED');
    expect(out.decision.reason).toBe('Restart (priority 5): x 20 > 10; held 12s (for: 10s)');
  });

  it('is off unless configured: by default every incident starts its holds afresh', () => {
    const out = flicker(12, {});
    expect(out.commands).toEqual([]);
  });

  it('with holdCarryMs 0 every incident starts its holds afresh', () => {
    const out = flicker(12, { holdCarryMs: 0 });
    expect(out.commands).toEqual([]);
    expect(out.decision.reason).toBe('Restart: x 20 > 10; held: condition true for 0s of 10s');
  });

  it('a re-opening later than holdCarryMs starts over', () => {
    const out = flicker(40); // 32 s after the resolution, over the 30 s
    expect(out.commands).toEqual([]);
    expect(out.decision.reason).toContain('held: condition true for 0s of 10s');
  });

  it('a hold the previous incident had already ended (its last evaluation false) is not carried', () => {
    const out = flicker(12, CARRY, 5); // x 5 at the last evaluation before the resolution
    expect(out.commands).toEqual([]);
    expect(out.decision.reason).toContain('held: condition true for 0s of 10s');
  });

  it('an incident something acted on hands no hold to the next', () => {
    const config = CARRY;
    let state = step(emptyState(), 20, 0, 'inc-1', { config }).state;
    const acted = step(state, 20, 10, 'inc-1', { config });
    expect(acted.commands).toHaveLength(1);
    state = { ...acted.state, inFlight: {}, cooldowns: {} };
    state = step(state, 0, 12, 'inc-1', { resolved: true, config }).state;
    const out = step(state, 20, 15, 'inc-2', { config });
    expect(out.commands).toEqual([]);
    expect(out.decision.reason).toContain('held: condition true for 0s of 10s');
  });

  it('only incidents of the same component hand their holds on', () => {
    const config = CARRY;
    let state = step(emptyState(), 20, 0, 'inc-1', { config }).state;
    state = step(state, 20, 5, 'inc-1', { config }).state;
    state = step(state, 0, 8, 'inc-1', { resolved: true, config }).state;
    const at = T0 + 12_000;
    const other = decide({
      diagnosis: diagnosisOf({ x: 20 }, at, { incidentId: 'inc-9', component: 'orders' }),
      state,
      policies: held,
      now: at,
      config: resolveDecisionConfig({ partitionCount: 1, ...CARRY }),
    });
    expect(other.commands).toEqual([]);
  });
});
