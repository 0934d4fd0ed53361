import { describe, expect, it } from 'vitest';
import { applyOutcome } from './apply-outcome.js';
import { resolveDecisionConfig } from './config.js';
import { decide } from './decide.js';
import { emptyState, restoreState, type EvaluatorState } from './state.js';
import { diagnosisOf, outcomeOf, policiesOf, T0 } from './decide.test-support.js';

// No cooldown: nothing but the order of evidence and outcome keeps a healing from repeating.
const policies = policiesOf(`
- name: Restart
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [restart-service]
  priority: 9
  cooldown_seconds: 0
- name: Scale
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [scale-up]
  priority: 5
  cooldown_seconds: 0
`);
const config = resolveDecisionConfig();
const hot = (state: EvaluatorState, at: number) =>
  decide({ diagnosis: diagnosisOf({ x: 50 }, at), state, policies, config, now: at });

/** Restart goes out at T0 and comes back with `verification` at T0 + 8 s. */
function healedAt8s(verification: 'RECOVERED' | 'NOT_RECOVERED') {
  const first = hot(emptyState(), T0);
  const command = first.commands[0];
  if (!command) throw new Error('no command');
  const state = applyOutcome(first.state, outcomeOf(command, verification, T0 + 8000), T0 + 8000);
  return { command, state };
}

describe('decide: evidence older than the outcome of a healing', () => {
  it('does not heal again on a diagnosis observed while the recovered command was in flight', () => {
    const { command, state } = healedAt8s('RECOVERED');
    // A lagging detector: the anomalous sample of T0 + 4 s reaches the evaluator after the outcome.
    const stale = hot(state, T0 + 4000);
    expect(stale.decision.verdict).toBe('SKIPPED_IN_FLIGHT');
    expect(stale.commands).toEqual([]);
    expect(stale.decision.reason).toContain(
      `while command ${command.commandId} (Restart, attempt 1)`,
    );
    expect(stale.decision.reason).toContain('RECOVERED at 2026-03-01T10:00:08.000Z');
    // Evidence from after the outcome still counts: the component is anomalous again.
    const fresh = hot(stale.state, T0 + 9000);
    expect(fresh.decision.verdict).toBe('DISPATCHED');
    expect(fresh.decision.policy).toBe('Restart');
  });

  it('still climbs the ladder on evidence older than an outcome that did not recover', () => {
    const { state } = healedAt8s('NOT_RECOVERED');
    const next = hot(state, T0 + 4000);
    expect(next.decision.verdict).toBe('DISPATCHED');
    expect(next.decision.policy).toBe('Scale');
  });

  it('keeps when each outcome came back across a restore, and reads states written before', () => {
    const { state } = healedAt8s('RECOVERED');
    const restored = restoreState(JSON.parse(JSON.stringify(state)));
    expect(hot(restored, T0 + 4000).decision.verdict).toBe('SKIPPED_IN_FLIGHT');
    const older = JSON.parse(JSON.stringify(state)) as EvaluatorState;
    for (const inc of Object.values(older.incidents))
      for (const h of inc.history) delete (h as { settledAt?: number | null }).settledAt;
    expect(hot(restoreState(older), T0 + 4000).decision.verdict).toBe('DISPATCHED');
  });
});
