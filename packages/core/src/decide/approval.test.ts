import type { ControlRecord } from '@healstream/contracts';
import { ConfigError, formatIssue } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { parseComponents } from '../components/registry.js';
import { parsePolicies } from '../policy/parse.js';
import { applyApproval, settleApprovals } from './approval-settle.js';
import { DEFAULT_DECISION_CONFIG as config } from './config.js';
import { decide } from './decide.js';
import { emptyState, restoreState, type EvaluatorState } from './state.js';
import { diagnosisOf, policiesOf, T0 } from './decide.test-support.js';

const rollback = (approval: string) =>
  policiesOf(`
- name: roll back
  conditions: [{ metric: error_rate, operator: gt, threshold: 0.1 }]
  actions: [rollback-deployment]
  priority: 8
${approval}`);

const bad = (at: number) => diagnosisOf({ error_rate: 0.5 }, at);

function answer(
  commandId: string,
  approved: boolean,
  at: number,
  author = 'alice',
  comment = '',
): ControlRecord {
  return {
    controlId: `approval:${commandId}`,
    kind: 'APPROVAL',
    action: 'SET',
    scope: { all: false, component: null, team: null, labels: {} },
    startsAt: null,
    endsAt: null,
    recurrence: null,
    holdPages: false,
    incidentId: null,
    commandId,
    approved,
    policy: null,
    policyMode: null,
    version: null,
    document: null,
    author,
    comment,
    createdAt: at,
  };
}

/** A rollback policy that needs approval, asked at T0. */
function pending(approval = '  approval: { timeout: 10m, on_timeout: escalate }') {
  const policies = rollback(approval);
  const first = decide({ diagnosis: bad(T0), state: emptyState(), policies, config, now: T0 });
  const commandId = first.decision.commandId as string;
  return { policies, first, commandId, state: first.state };
}

describe('a policy that needs approval', () => {
  it('keeps its command waiting (PENDING_APPROVAL) and pages how to answer', () => {
    const { first, commandId } = pending();
    expect(first.decision.verdict).toBe('PENDING_APPROVAL');
    expect(first.commands).toEqual([]);
    expect(commandId).toMatch(/^cmd-/);
    expect(first.state.approvals[commandId]).toMatchObject({
      status: 'pending',
      deadline: T0 + 600_000,
      onTimeout: 'escalate',
    });
    expect(first.state.inFlight).toEqual({});
    expect(first.escalations).toHaveLength(1);
    const page = first.escalations[0];
    expect(page?.source).toBe('APPROVAL_REQUESTED');
    expect(page?.summary).toContain(`healstream approve ${commandId}`);
    expect(page?.details).toContain(`healstream deny ${commandId} --reason`);
    expect(page?.details).toContain(`POST /api/approvals/${commandId}`);
  });

  it('says the command still waits on every later step, asking once', () => {
    const { policies, state, commandId } = pending();
    const again = decide({ diagnosis: bad(T0 + 5000), state, policies, config, now: T0 + 5000 });
    expect(again.decision).toMatchObject({ verdict: 'PENDING_APPROVAL', commandId });
    expect(again.commands).toEqual([]);
    expect(again.escalations).toEqual([]);
  });

  it('approved: the very command goes out once, with who and when in the decision', () => {
    const { state, commandId } = pending();
    const fx = applyApproval(state, answer(commandId, true, T0 + 60_000), T0 + 60_000, config);
    expect(fx.decisions.map((d) => d.verdict)).toEqual(['APPROVED']);
    expect(fx.decisions[0]?.reason).toContain('approved by alice at 2026-03-01T10:01:00.000Z');
    expect(fx.commands.map((c) => [c.commandId, c.mode, c.actions[0]?.name])).toEqual([
      [commandId, 'ENFORCE', 'rollback-deployment'],
    ]);
    expect(fx.state.inFlight['payments']?.commandId).toBe(commandId);
    expect(fx.state.incidents['inc-1']?.attempts).toBe(1);
    expect(fx.escalations.map((e) => e.status)).toEqual(['RESOLVED']);

    const twice = applyApproval(
      fx.state,
      answer(commandId, true, T0 + 61_000, 'bob'),
      T0 + 61_000,
      config,
    );
    expect(twice.commands).toEqual([]);
    expect(twice.decisions).toEqual([]);
    expect(twice.notes).toEqual([
      `approval of ${commandId} by bob ignored: already approved by alice at 2026-03-01T10:01:00.000Z`,
    ]);
  });

  it('denied: nothing runs, a page says who denied and why, a later approval changes nothing', () => {
    const { policies, state, commandId } = pending();
    const at = T0 + 30_000;
    const fx = applyApproval(
      state,
      answer(commandId, false, at, 'bob', 'peak traffic'),
      at,
      config,
    );
    expect(fx.commands).toEqual([]);
    expect(fx.decisions.map((d) => [d.verdict, d.reason])).toEqual([
      [
        'DENIED',
        'roll back: denied by bob at 2026-03-01T10:00:30.000Z (peak traffic); rollback-deployment not run',
      ],
    ]);
    const page = fx.escalations.find((e) => e.status === 'TRIGGERED');
    expect(page).toMatchObject({
      source: 'APPROVAL_DENIED',
      dedupKey: 'healstream/incident/inc-1',
    });
    expect(page?.summary).toContain('bob denied rollback-deployment');

    const late = applyApproval(fx.state, answer(commandId, true, at + 1000), at + 1000, config);
    expect(late.commands).toEqual([]);
    expect(late.notes[0]).toContain('ignored: already denied by bob');
    const next = decide({
      diagnosis: bad(at + 2000),
      state: late.state,
      policies,
      config,
      now: at + 2000,
    });
    expect(next.commands).toEqual([]);
    expect(next.decision.verdict).toBe('ESCALATE');
    expect(next.escalations).toEqual([]); // the denial page already has a person on it
  });

  it('unanswered with on_timeout: escalate, pages at the deadline and runs nothing', () => {
    const { state, commandId } = pending();
    expect(settleApprovals(state, T0 + 599_999, config).decisions).toEqual([]);
    const fx = settleApprovals(state, T0 + 600_000, config);
    expect(fx.commands).toEqual([]);
    expect(fx.decisions.map((d) => d.verdict)).toEqual(['ESCALATE']);
    expect(fx.decisions[0]?.reason).toContain('no answer within 10m');
    expect(fx.escalations.map((e) => `${e.source} ${e.status}`)).toEqual([
      'APPROVAL_REQUESTED RESOLVED',
      'APPROVAL_DENIED TRIGGERED',
    ]);
    const late = applyApproval(
      fx.state,
      answer(commandId, true, T0 + 700_000),
      T0 + 700_000,
      config,
    );
    expect(late.commands).toEqual([]);
    expect(late.notes[0]).toContain('already escalated');
  });

  it('unanswered with on_timeout: run, dispatches the command at the deadline', () => {
    const { state, commandId } = pending('  approval: { timeout: 90s, on_timeout: run }');
    const fx = settleApprovals(state, T0 + 90_000, config);
    expect(fx.decisions.map((d) => d.verdict)).toEqual(['DISPATCHED']);
    expect(fx.commands.map((c) => c.commandId)).toEqual([commandId]);
    expect(settleApprovals(fx.state, T0 + 95_000, config).commands).toEqual([]);
  });

  it('is cancelled when the incident resolves first', () => {
    const { policies, state, commandId } = pending();
    const resolved = decide({
      diagnosis: diagnosisOf({}, T0 + 1000, { kind: 'RESOLVED' }),
      state,
      policies,
      config,
      now: T0 + 1000,
    });
    const fx = applyApproval(resolved.state, answer(commandId, true, T0 + 2000), T0 + 2000, config);
    expect(fx.commands).toEqual([]);
    expect(fx.state.approvals[commandId]?.status).toBe('cancelled');
  });

  it('is ignored by a partition that never held the command', () => {
    const fx = applyApproval(emptyState(), answer('cmd-elsewhere', true, T0), T0, config);
    expect(fx).toMatchObject({ decisions: [], commands: [], escalations: [], notes: [] });
  });

  it('survives the changelog: a restored state still holds it, and older states read as none', () => {
    const { state, commandId } = pending();
    const restored = restoreState(JSON.parse(JSON.stringify(state)));
    expect(
      applyApproval(restored, answer(commandId, true, T0 + 1), T0 + 1, config).commands,
    ).toHaveLength(1);
    const { approvals: _, ...older } = emptyState();
    expect(restoreState(older).approvals).toEqual({});
  });

  it('a component tier can require approval for every policy acting on it', () => {
    const components = parseComponents(
      'components:\n  payments:\n    executor: process\n    target: payments\n    allowed_actions: [rollback-deployment]\n    approval: required\n',
      'components.yaml',
    );
    const first = decide({
      diagnosis: bad(T0),
      state: emptyState() as EvaluatorState,
      policies: rollback(''),
      components,
      config,
      now: T0,
    });
    expect(first.decision.verdict).toBe('PENDING_APPROVAL');
    expect(Object.values(first.state.approvals)[0]).toMatchObject({
      deadline: T0 + 900_000,
      onTimeout: 'escalate',
    });
  });
});

describe('approval: in a policy file', () => {
  const issues = (yaml: string) => {
    try {
      parsePolicies(yaml, 'p.yaml');
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.issues.map(formatIssue);
      throw error;
    }
  };

  it('reads `required`, a timeout and on_timeout', () => {
    expect(rollback('  approval: required')[0]?.approval).toEqual({
      timeoutMs: 900_000,
      onTimeout: 'escalate',
    });
    expect(rollback('  approval: { timeout: 2m, on_timeout: run }')[0]?.approval).toEqual({
      timeoutMs: 120_000,
      onTimeout: 'run',
    });
    expect(rollback('')[0]?.approval).toBeNull();
  });

  it('refuses a bad one with file:line', () => {
    const yaml = [
      '- name: a',
      '  conditions: [{ metric: error_rate, operator: gt, threshold: 0.1 }]',
      '  actions: [rollback-deployment]',
      '  approval:',
      '    timeout: 10m',
      '    on_timeout: wait',
    ].join('\n');
    expect(issues(yaml)).toEqual([
      "p.yaml:6:17: approval.on_timeout: unknown value 'wait' (expected one of escalate, run)",
    ]);
  });
});
