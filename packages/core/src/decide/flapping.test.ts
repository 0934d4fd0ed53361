import type { Diagnosis, HealingCommand } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { applyOutcome } from './apply-outcome.js';
import { resolveDecisionConfig, type DecisionConfig } from './config.js';
import { decide } from './decide.js';
import { diagnosisOf, outcomeOf, policiesOf, T0 } from './decide.test-support.js';
import { emptyState, type EvaluatorState } from './state.js';

const MIN = 60_000;

/** A two-step ladder on one metric: restart first, then scale up. No cooldown, so only damping stops them. */
const policies = policiesOf(`
- name: restart
  conditions: [{ metric: x, operator: gt, threshold: 1 }]
  actions: [restart-service]
  priority: 9
  cooldown_seconds: 0
- name: scale
  conditions: [{ metric: x, operator: gt, threshold: 1 }]
  actions: [scale-up]
  priority: 5
  cooldown_seconds: 0
`);

const config = resolveDecisionConfig({
  partitionCount: 1,
  perComponentPerHour: 1000,
  flap: { windowMs: 15 * MIN, halfLifeMs: 30 * MIN, suppressAt: 3, reuseBelow: 1 },
});

function anomaly(incidentId: string, at: number, cause = 'memory-leak'): Diagnosis {
  return diagnosisOf({ x: 5 }, at, {
    incidentId,
    eventId: `ev-${incidentId}-${at}`,
    causes: [{ cause, confidence: 0.9, evidence: [] }],
  });
}

function resolved(incidentId: string, at: number): Diagnosis {
  return { ...anomaly(incidentId, at), kind: 'RESOLVED', eventId: `ev-${incidentId}-resolved` };
}

/**
 * One incident of a member that "recovers" after every healing and fails again `gap` later:
 * opened at `at`, healed (RECOVERED one minute later), resolved. Returns what the opening decided.
 */
function cycle(
  state: EvaluatorState,
  incidentId: string,
  at: number,
  cfg: DecisionConfig = config,
) {
  const opened = decide({
    diagnosis: anomaly(incidentId, at),
    state,
    policies,
    config: cfg,
    now: at,
  });
  let next = opened.state;
  const command = opened.commands.find((c) => c.mode === 'ENFORCE') as HealingCommand | undefined;
  if (command) next = applyOutcome(next, outcomeOf(command, 'RECOVERED', at + MIN), at + MIN, cfg);
  next = decide({
    diagnosis: resolved(incidentId, at + 2 * MIN),
    state: next,
    policies,
    config: cfg,
    now: at + 2 * MIN,
  }).state;
  return { ...opened, state: next };
}

describe('flap damping', () => {
  it('counts a cure that flapped as failed, climbs the ladder, and after K flaps pages once instead of acting', () => {
    let state = emptyState();
    const seen: ReturnType<typeof cycle>[] = [];
    // Every 4 minutes the member fails again, each time soon after a RECOVERED healing.
    for (let i = 0; i < 6; i++) {
      const r = cycle(state, `inc-${i}`, T0 + i * 4 * MIN);
      seen.push(r);
      state = r.state;
    }
    const verdicts = seen.map((r) => `${r.decision.verdict}:${r.decision.policy ?? ''}`);
    // 1st: restart cures it; 2nd (a flap): restart counted failed, scale next; 3rd and 4th
    // (flaps of scale's cure): both counted failed, the ladder is spent. The penalty (+1 per
    // flap, halving every 30 minutes) reaches 3 at the 4th flap: suppressed.
    expect(verdicts.slice(0, 4)).toEqual([
      'DISPATCHED:restart',
      'DISPATCHED:scale',
      'ESCALATE:',
      'ESCALATE:',
    ]);
    expect(seen[1]?.decision.evaluated.find((e) => e.policy === 'restart')).toMatchObject({
      outcome: 'tried',
    });
    expect(seen[1]?.decision.evaluated.find((e) => e.policy === 'restart')?.reason).toContain(
      'counted as failed: memory-leak re-opened after incident inc-0 recovered',
    );
    const suppressed = seen.findIndex((r) => r.decision.verdict === 'SKIPPED_FLAPPING');
    expect(suppressed).toBe(4);
    expect(seen[suppressed]?.decision.reason).toMatch(
      /^flapping: memory-leak re-opened \d+ times.*penalty \d\.\d\d ≥ suppress 3/,
    );
    // No endless restarts: nothing is dispatched once suppressed, and exactly one FLAPPING page.
    expect(seen.slice(suppressed).flatMap((r) => r.commands)).toEqual([]);
    const pages = seen.flatMap((r) => r.escalations).filter((e) => e.source === 'FLAPPING');
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ component: 'payments', severity: 'CRITICAL' });
    expect(pages[0]?.summary).toContain('payments is flapping: memory-leak');
  });

  it('is no flap when the cause stays away longer than the window', () => {
    let state = emptyState();
    const verdicts: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = cycle(state, `inc-${i}`, T0 + i * 20 * MIN);
      verdicts.push(`${r.decision.verdict}:${r.decision.policy ?? ''}`);
      state = r.state;
    }
    expect(new Set(verdicts)).toEqual(new Set(['DISPATCHED:restart']));
    expect(state.flaps['payments']?.['memory-leak']?.flaps).toBe(0);
  });

  it('keys on the cause: another cause re-opening is no flap of the first', () => {
    let state = cycle(emptyState(), 'inc-0', T0).state;
    const other = decide({
      diagnosis: anomaly('inc-1', T0 + 4 * MIN, 'deadlock-hang'),
      state,
      policies,
      config,
      now: T0 + 4 * MIN,
    });
    expect(other.decision).toMatchObject({ verdict: 'DISPATCHED', policy: 'restart' });
    state = other.state;
    expect(state.flaps['payments']?.['memory-leak']?.penalty ?? 0).toBe(0);
  });

  it('decays: once the penalty is below the reuse threshold, healing resumes', () => {
    let state = emptyState();
    let at = T0;
    for (let i = 0; i < 6; i++, at += 3 * MIN) state = cycle(state, `inc-${i}`, at).state;
    const flap = state.flaps['payments']?.['memory-leak'];
    expect(flap?.suppressed).toBe(true);
    // Still suppressed half an hour on (penalty ≈ 1.8, above reuse 1)…
    const soon = decide({
      diagnosis: anomaly('inc-late', at + 30 * MIN),
      state,
      policies,
      config,
      now: at + 30 * MIN,
    });
    expect(soon.decision.verdict).toBe('SKIPPED_FLAPPING');
    expect(soon.escalations).toEqual([]);
    // …and acting again after two more half-lives.
    const later = decide({
      diagnosis: anomaly('inc-later', at + 120 * MIN),
      state: soon.state,
      policies,
      config,
      now: at + 120 * MIN,
    });
    expect(later.decision).toMatchObject({ verdict: 'DISPATCHED', policy: 'restart' });
  });

  it('survives the changelog: the flap state round-trips through JSON and still suppresses', async () => {
    const { restoreState } = await import('./state.js');
    let state = emptyState();
    for (let i = 0; i < 6; i++) state = cycle(state, `inc-${i}`, T0 + i * 3 * MIN).state;
    const restored = restoreState(JSON.parse(JSON.stringify(state)) as unknown);
    const r = decide({
      diagnosis: anomaly('inc-9', T0 + 19 * MIN),
      state: restored,
      policies,
      config,
      now: T0 + 19 * MIN,
    });
    expect(r.decision.verdict).toBe('SKIPPED_FLAPPING');
  });

  it('restores a state written before flap damping existed', async () => {
    const { restoreState } = await import('./state.js');
    const old = JSON.parse(JSON.stringify(cycle(emptyState(), 'inc-0', T0).state)) as Record<
      string,
      unknown
    >;
    delete old['flaps'];
    delete old['effectiveness'];
    for (const inc of Object.values(old['incidents'] as Record<string, Record<string, unknown>>)) {
      delete inc['cause'];
      delete inc['flap'];
    }
    const restored = restoreState(old);
    expect(restored.flaps).toEqual({});
    expect(restored.incidents['inc-0']?.cause).toBe('');
  });
});
