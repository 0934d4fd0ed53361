import type { Diagnosis, HealingOutcome } from '@healstream/contracts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicies } from '../policy/parse.js';
import { applyOutcome } from './apply-outcome.js';
import { resolveDecisionConfig } from './config.js';
import { decide } from './decide.js';
import { emptyState } from './state.js';
import { diagnosisOf, T0 } from './decide.test-support.js';

const shipped = parsePolicies(
  readFileSync(new URL('../../../../policies/default.yaml', import.meta.url), 'utf8'),
  'default.yaml',
);
/** The reference's policies as it writes them, acting at once: holds (`for:`) are holds.test.ts's. */
const policies = shipped.map((p) => ({ ...p, forMs: 0 }));

/** The decide tests' diagnosis: metrics and overrides in one object. */
function diagnosis(
  overrides: Partial<Diagnosis> & { metrics?: Record<string, number> } = {},
  at = T0,
): Diagnosis {
  const { metrics = {}, ...rest } = overrides;
  return diagnosisOf(metrics, at, rest);
}

function outcome(
  commandId: string,
  policy: string,
  verification: HealingOutcome['verification'],
  incidentId = 'inc-1',
): HealingOutcome {
  return {
    commandId,
    incidentId,
    component: 'payments',
    policy,
    attempt: 1,
    mode: 'ENFORCE',
    actions: [
      { name: 'restart-service', status: 'SUCCEEDED', durationMs: 10, error: null, detail: null },
    ],
    verification,
    verificationDetail: '',
    startedAt: T0,
    finishedAt: T0,
  };
}

const spike = { latency_p99: 600, error_rate: 0.2, throughput: 200 };

describe('decide: the reference priority example (latency 600 ms, error rate 20%)', () => {
  it('lets Critical Latency Spike act and reports every other policy with its reason', () => {
    const { decision, commands } = decide({
      diagnosis: diagnosis({ metrics: spike }),
      state: emptyState(),
      policies,
      now: T0,
    });
    expect(decision.verdict).toBe('DISPATCHED');
    expect(decision.policy).toBe('Critical Latency Spike');
    expect(commands).toHaveLength(1);
    expect(commands[0]?.actions.map((a) => a.name)).toEqual(['restart-service', 'alert-oncall']);
    const byName = Object.fromEntries(decision.evaluated.map((e) => [e.policy, e]));
    expect(decision.evaluated.map((e) => e.policy)).toEqual([
      'Critical Latency Spike',
      'High Error Rate',
      'Resource Exhaustion',
      'Moderate Latency',
      'Throughput Drop',
    ]);
    expect(byName['Critical Latency Spike']).toMatchObject({ matched: true, outcome: 'chosen' });
    expect(byName['High Error Rate']).toMatchObject({ matched: true, outcome: 'lower-priority' });
    expect(byName['Resource Exhaustion']).toMatchObject({
      matched: false,
      outcome: 'no-match',
      reason: 'cpu_util not reported',
    });
    expect(byName['Moderate Latency']).toMatchObject({
      matched: false,
      reason: 'latency_p99 600 is not < 500',
    });
    expect(byName['Throughput Drop']).toMatchObject({ matched: true, outcome: 'lower-priority' });
  });

  it('picks High Error Rate on the next incident step while Critical Latency Spike cools down', () => {
    const first = decide({
      diagnosis: diagnosis({ metrics: spike }),
      state: emptyState(),
      policies,
      now: T0,
    });
    const commandId = first.commands[0]?.commandId ?? '';
    const afterOutcome = applyOutcome(
      first.state,
      outcome(commandId, 'Critical Latency Spike', 'RECOVERED'),
      T0 + 20_000,
    );
    const next = decide({
      diagnosis: diagnosis({ metrics: spike, incidentId: 'inc-2' }, T0 + 60_000),
      state: afterOutcome,
      policies,
      now: T0 + 60_000,
    });
    expect(next.decision.verdict).toBe('DISPATCHED');
    expect(next.decision.policy).toBe('High Error Rate');
    const critical = next.decision.evaluated.find((e) => e.policy === 'Critical Latency Spike');
    expect(critical).toMatchObject({ matched: true, outcome: 'cooldown' });
    expect(critical?.reason).toContain('in cooldown for 240 s more');
  });
});

describe('decide: one command in flight per component', () => {
  it('skips while a command is in flight and acts again once it is lost past deadline + grace', () => {
    const config = resolveDecisionConfig({ commandTimeoutMs: 60_000, inFlightGraceMs: 10_000 });
    const first = decide({
      diagnosis: diagnosis({ metrics: spike }),
      state: emptyState(),
      policies,
      config,
      now: T0,
    });
    const blocked = decide({
      diagnosis: diagnosis({ metrics: spike }, T0 + 30_000),
      state: first.state,
      policies,
      config,
      now: T0 + 30_000,
    });
    expect(blocked.decision.verdict).toBe('SKIPPED_IN_FLIGHT');
    expect(blocked.commands).toEqual([]);
    const lost = decide({
      diagnosis: diagnosis({ metrics: spike }, T0 + 70_001),
      state: blocked.state,
      policies,
      config,
      now: T0 + 70_001,
    });
    expect(lost.decision.verdict).toBe('DISPATCHED');
    expect(lost.decision.policy).toBe('High Error Rate');
    expect(lost.decision.attempt).toBe(2);
  });
});
