import type { Diagnosis, HealingCommand, HealingOutcome } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { applyOutcome } from './apply-outcome.js';
import { resolveDecisionConfig } from './config.js';
import { decide } from './decide.js';
import { diagnosisOf, outcomeOf, policiesOf, T0 } from './decide.test-support.js';
import { effectivenessRows } from './effectiveness.js';
import { emptyState, type EvaluatorState } from './state.js';

const MIN = 60_000;

const policies = policiesOf(`
- name: restart
  conditions: [{ metric: x, operator: gt, threshold: 1 }]
  actions: [restart-service]
  priority: 9
  cooldown_seconds: 0
`);

const config = resolveDecisionConfig({
  partitionCount: 1,
  perComponentPerHour: 1000,
  effectiveness: { stableMs: 10 * MIN, minAttempts: 3, demoteBelow: 0.5, windowMs: 24 * 60 * MIN },
});

function anomaly(incidentId: string, at: number): Diagnosis {
  return diagnosisOf({ x: 5 }, at, {
    incidentId,
    eventId: `ev-${incidentId}-${at}`,
    causes: [{ cause: 'deadlock-hang', confidence: 0.85, evidence: [] }],
  });
}

/** An incident whose healing ends as `verification`, resolved a few minutes later. */
function incident(
  state: EvaluatorState,
  id: string,
  at: number,
  verification: HealingOutcome['verification'],
) {
  const opened = decide({ diagnosis: anomaly(id, at), state, policies, config, now: at });
  let next = opened.state;
  const command = opened.commands.find((c) => c.mode === 'ENFORCE') as HealingCommand | undefined;
  if (command)
    next = applyOutcome(next, outcomeOf(command, verification, at + MIN), at + MIN, config);
  const close = { ...anomaly(id, at + 3 * MIN), kind: 'RESOLVED' as const, eventId: `ev-${id}-r` };
  next = decide({ diagnosis: close, state: next, policies, config, now: at + 3 * MIN }).state;
  return { ...opened, state: next };
}

const rows = (state: EvaluatorState) =>
  effectivenessRows(state, 'payments', config.effectiveness)[0];

describe('policy effectiveness', () => {
  it('demotes a policy that never cures to shadow for that cause, with one page', () => {
    let state = emptyState();
    const runs = [];
    for (let i = 0; i < 5; i++) {
      const r = incident(state, `inc-${i}`, T0 + i * 30 * MIN, 'NOT_RECOVERED');
      runs.push(r);
      state = r.state;
    }
    expect(runs.slice(0, 3).map((r) => r.decision.verdict)).toEqual([
      'DISPATCHED',
      'DISPATCHED',
      'DISPATCHED',
    ]);
    const fourth = runs[3];
    expect(fourth?.commands.map((c) => c.mode)).toEqual(['SHADOW']);
    expect(fourth?.shadow).toMatchObject({ verdict: 'SHADOW', policy: 'restart' });
    expect(fourth?.shadow?.reason).toContain(
      'demoted to shadow for deadlock-hang: 0/3 stayed recovered (0% < 50%)',
    );
    const pages = runs.flatMap((r) => r.escalations).filter((e) => e.source === 'POLICY_DEMOTED');
    expect(pages).toHaveLength(1);
    expect(pages[0]?.summary).toBe(
      'restart demoted to shadow for deadlock-hang on payments: 0 of 3 healings stayed recovered (0% < 50%)',
    );
    expect(runs[4]?.commands.every((c) => c.mode === 'SHADOW')).toBe(true);
    expect(effectivenessRows(state, 'payments', config.effectiveness)).toEqual([
      {
        component: 'payments',
        policy: 'restart',
        cause: 'deadlock-hang',
        attempts: 3,
        successes: 0,
        pending: 0,
        rate: 0,
        demoted: true,
      },
    ]);
  });

  it('counts RECOVERED as a success only once it stayed recovered; a quick re-open is a failure', () => {
    let state = incident(emptyState(), 'inc-0', T0, 'RECOVERED').state;
    expect(effectivenessRows(state, 'payments', config.effectiveness)[0]).toMatchObject({
      attempts: 0,
      pending: 1,
    });
    // Re-opens 6 minutes after the cure (inside stableMs): that cure did not last (and, a
    // flap, restart is passed over for this incident).
    state = incident(state, 'inc-1', T0 + 6 * MIN, 'RECOVERED').state;
    expect(rows(state)).toMatchObject({ attempts: 1, successes: 0, pending: 0 });
    state = incident(state, 'inc-2', T0 + 60 * MIN, 'RECOVERED').state;
    expect(rows(state)).toMatchObject({ attempts: 1, successes: 0, pending: 1 });
    // Quiet for longer than stableMs: the cure of inc-2 counts.
    state = incident(state, 'inc-3', T0 + 120 * MIN, 'RECOVERED').state;
    expect(rows(state)).toMatchObject({ attempts: 2, successes: 1, pending: 1, rate: 0.5 });
  });

  it('keeps a policy that cures in force, and lets a demotion lapse once its failures leave the window', () => {
    let state = emptyState();
    for (let i = 0; i < 3; i++)
      state = incident(state, `inc-${i}`, T0 + i * 30 * MIN, 'NOT_RECOVERED').state;
    const demoted = incident(state, 'inc-3', T0 + 120 * MIN, 'RECOVERED');
    expect(demoted.decision.verdict).not.toBe('DISPATCHED');
    const dayLater = incident(demoted.state, 'inc-4', T0 + 25 * 60 * MIN, 'RECOVERED');
    expect(dayLater.decision).toMatchObject({ verdict: 'DISPATCHED', policy: 'restart' });
  });

  it('counts a redelivered outcome once', () => {
    const opened = decide({
      diagnosis: anomaly('inc-0', T0),
      state: emptyState(),
      policies,
      config,
      now: T0,
    });
    const outcome = outcomeOf(opened.commands[0] as HealingCommand, 'NOT_RECOVERED', T0 + MIN);
    let state = applyOutcome(opened.state, outcome, T0 + MIN, config);
    state = applyOutcome(state, outcome, T0 + MIN, config);
    expect(effectivenessRows(state, 'payments', config.effectiveness)[0]).toMatchObject({
      attempts: 1,
    });
  });
});
