import type { Diagnosis } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { applyOutcome } from './apply-outcome.js';
import { resolveDecisionConfig } from './config.js';
import { decide } from './decide.js';
import { diagnosisOf, outcomeOf, policiesOf, T0 } from './decide.test-support.js';
import { remedyView } from './remedies.js';
import { emptyState, type EvaluatorState } from './state.js';

// The reference's ranking on one metric each: a restart ranks above the breaker, the breaker
// above a scale-up; the page only pages.
const policies = policiesOf(`
- name: Restart
  conditions: [{metric: latency, operator: gt, threshold: 500}]
  actions: [restart-service, alert-oncall]
  priority: 10
  for: 10s
- name: Breaker
  conditions: [{metric: errors, operator: gt, threshold: 0.15}]
  actions: [enable-circuit-breaker, fallback-mode]
  priority: 9
  for: 10s
- name: Page
  conditions: [{metric: up, operator: lt, threshold: 1}]
  actions: [alert-oncall]
  priority: 8
- name: Scale
  conditions: [{metric: latency, operator: gt, threshold: 300}]
  actions: [scale-up]
  priority: 5
  for: 10s
`);
const config = resolveDecisionConfig({ partitionCount: 1 });

const dx = (
  metrics: Record<string, number>,
  at: number,
  causes: Diagnosis['causes'] = [],
): Diagnosis => diagnosisOf(metrics, at, { causes });
const failing = (confidence = 0.85): Diagnosis['causes'] => [
  { cause: 'dependency-failure', confidence, evidence: [] },
];
const leaking: Diagnosis['causes'] = [{ cause: 'memory-leak', confidence: 0.8, evidence: [] }];

/** Scrapes every 5 s from T0 while `metricsAt` says what they read; the first command, if any. */
function run(
  metricsAt: (t: number) => Record<string, number>,
  causes: Diagnosis['causes'],
  seconds: number,
  cfg = config,
) {
  let state: EvaluatorState = emptyState();
  const decisions = [];
  for (let t = 0; t <= seconds * 1000; t += 5_000) {
    const out = decide({
      diagnosis: dx(metricsAt(t), T0 + t, causes),
      state,
      policies,
      config: cfg,
      now: T0 + t,
    });
    state = out.state;
    decisions.push(out.decision);
    const command = out.commands.find((c) => c.mode === 'ENFORCE');
    if (command)
      return {
        at: t / 1000,
        policy: command.policy.name,
        command,
        decision: out.decision,
        decisions,
        state,
      };
  }
  return {
    at: null,
    policy: null,
    command: undefined,
    decision: decisions.at(-1),
    decisions,
    state,
  };
}

describe('remedyView: the remedies of what the diagnosis names with confidence', () => {
  it('takes every cause at or above the level, and none of unknown', () => {
    const view = remedyView(
      dx({}, T0, [
        { cause: 'bad-deploy', confidence: 0.95, evidence: [] },
        { cause: 'memory-leak', confidence: 0.8, evidence: [] },
        { cause: 'traffic-spike', confidence: 0.5, evidence: [] },
      ]),
      0.55,
    );
    expect([...(view?.actions ?? [])]).toEqual(['rollback-deployment', 'restart-service']);
    expect(view?.label).toBe(
      'bad-deploy (0.95): rollback-deployment; memory-leak (0.80): restart-service',
    );
    expect(remedyView(dx({}, T0, [{ cause: 'unknown', confidence: 1, evidence: [] }]), 0.55)).toBe(
      null,
    );
    expect(remedyView(dx({}, T0, failing()), null)).toBe(null);
  });
});

describe('decide: a confident diagnosis has its remedy acted on first', () => {
  const timeout = () => ({ latency: 2000, errors: 0.4 });

  it('a failing dependency at its timeout gets the breaker, not the higher-ranked restart', () => {
    const r = run(timeout, failing(), 30);
    expect([r.at, r.policy]).toEqual([10, 'Breaker']);
    const restart = r.decision?.evaluated.find((e) => e.policy === 'Restart');
    expect(restart?.outcome).toBe('not-selected');
    expect(restart?.reason).toContain(
      'none of its actions is a remedy of the diagnosed dependency-failure (0.85): enable-circuit-breaker, fallback-mode',
    );
    expect(r.decision?.reason).toContain(
      'before Restart (ranks higher): it takes a remedy of the diagnosed dependency-failure (0.85)',
    );
  });

  it('rank alone decides on a cause said below the level, on unknown, or when switched off', () => {
    expect(run(timeout, failing(0.5), 30).policy).toBe('Restart');
    expect(run(timeout, [{ cause: 'unknown', confidence: 1, evidence: [] }], 30).policy).toBe(
      'Restart',
    );
    const off = resolveDecisionConfig({ partitionCount: 1, remedyMinConfidence: null });
    expect(run(timeout, failing(), 30, off).policy).toBe('Restart');
  });

  it('a ramp: the scale-up waits while the breaker’s errors come in, and the breaker acts', () => {
    // Latency past 300 ms from 0 s; errors past 15% from 20 s (the breaker is held until 30 s).
    const ramp = (t: number) => ({ latency: 400, errors: t >= 20_000 ? 0.3 : 0.05 });
    const r = run(ramp, failing(), 120);
    expect([r.at, r.policy]).toEqual([30, 'Breaker']);
    expect(r.decisions[3]?.verdict).toBe('NO_MATCH');
    expect(r.decisions[3]?.reason).toBe(
      'Scale waits up to 60s (until 2026-03-01T10:01:10.000Z) for a policy taking a remedy of the diagnosed dependency-failure (0.85): enable-circuit-breaker, fallback-mode',
    );
  });

  it('waits a minute at most from when it could act, then acts as its rank says', () => {
    const r = run(() => ({ latency: 400, errors: 0 }), leaking, 120);
    expect([r.at, r.policy]).toEqual([70, 'Scale']);
    expect(r.decision?.reason).toContain('acts: none acted within 60s');
    const shorter = resolveDecisionConfig({ partitionCount: 1, remedyWaitMs: 20_000 });
    expect(run(() => ({ latency: 400, errors: 0 }), leaking, 120, shorter).at).toBe(30);
  });

  it('does not wait when no policy taking a remedy may still act', () => {
    // A bad deploy: none of these rolls back.
    const deploy = [{ cause: 'bad-deploy', confidence: 0.95, evidence: [] }];
    expect(run(() => ({ latency: 400 }), deploy, 30)).toMatchObject({ at: 10, policy: 'Scale' });
    // The restart was tried for this incident (and did not cure it): the scale-up goes next.
    const first = run(() => ({ latency: 600 }), leaking, 30);
    expect(first.policy).toBe('Restart');
    if (!first.command) throw new Error('no command');
    const state = applyOutcome(
      first.state,
      outcomeOf(first.command, 'NOT_RECOVERED', T0 + 20_000),
      T0 + 20_000,
      config,
    );
    const out = decide({
      diagnosis: dx({ latency: 400 }, T0 + 25_000, leaking),
      state,
      policies,
      config,
      now: T0 + 25_000,
    });
    expect(out.decision).toMatchObject({ verdict: 'DISPATCHED', policy: 'Scale' });
    expect(out.decision.reason).toContain('acts: no policy that may act takes one');
  });

  it('never holds back a page, nor an action no cause names', () => {
    expect(run(() => ({ up: 0 }), failing(), 0)).toMatchObject({ at: 0, policy: 'Page' });
  });

  it('explain (whatIf) answers for a situation that lasts: the wait is over', () => {
    const out = decide({
      whatIf: true,
      diagnosis: dx({ latency: 400 }, T0, leaking),
      state: emptyState(),
      policies,
      config,
      now: T0,
    });
    expect(out.decision).toMatchObject({ verdict: 'DISPATCHED', policy: 'Scale' });
    expect(out.decision.reason).toContain('acts: after 60s, as no matching policy takes one');
  });
});
