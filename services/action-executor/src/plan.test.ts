import { describe, expect, it } from 'vitest';
import { started } from './ledger.js';
import { planCommand } from './plan.js';
import { interruptedResults } from './run-command.js';
import { command, testComponents } from './fixtures.test-support.js';

const registry = testComponents();
const now = Date.now();

describe('planning a command', () => {
  it('executes a valid command with parsed parameters and defaults', () => {
    const plan = planCommand(
      command({
        actions: [
          { name: 'scale-up', params: {} },
          { name: 'restart-service', params: { grace_seconds: '5' } },
        ],
      }),
      undefined,
      registry,
      now,
    );
    expect(plan.kind).toBe('execute');
    if (plan.kind !== 'execute') return;
    expect(plan.actions.map((a) => [a.name, a.params])).toEqual([
      ['scale-up', { replicas: 1 }],
      ['restart-service', { grace_seconds: 5 }],
    ]);
  });

  it.each([
    ['UNKNOWN_ACTION', command({ actions: [{ name: 'reboot-datacenter', params: {} }] })],
    ['UNKNOWN_COMPONENT', command({ component: 'nope' })],
    ['ACTION_NOT_PERMITTED', command({ actions: [{ name: 'rollback-deployment', params: {} }] })],
    [
      'PARAMS_OUT_OF_BOUNDS',
      command({ actions: [{ name: 'scale-up', params: { replicas: '4' } }] }),
    ],
    [
      'PARAMS_OUT_OF_BOUNDS',
      command({ actions: [{ name: 'restart-service', params: { grace_seconds: '9999' } }] }),
    ],
  ])('answers %s at once, every action SKIPPED with the error', (code, c) => {
    const plan = planCommand(c, undefined, registry, now);
    expect(plan.kind).toBe('report');
    if (plan.kind !== 'report') return;
    expect(plan.reason).toBe(code);
    expect(plan.outcome.verification).toBe('UNKNOWN');
    expect(plan.outcome.actions.length).toBe(c.actions.length);
    for (const a of plan.outcome.actions) {
      expect(a.status).toBe('SKIPPED');
      expect(a.error).toMatch(new RegExp(`^${code}: `));
    }
  });

  it('runs nothing for shadow commands', () => {
    const plan = planCommand(command({ mode: 'SHADOW' }), undefined, registry, now);
    expect(plan).toMatchObject({
      kind: 'report',
      reason: 'SHADOW',
      outcome: { mode: 'SHADOW', actions: [{ status: 'SKIPPED', detail: 'shadow' }] },
    });
  });

  it('runs nothing past the deadline', () => {
    const plan = planCommand(command({ deadline: now - 1 }), undefined, registry, now);
    expect(plan).toMatchObject({
      kind: 'report',
      reason: 'EXPIRED',
      outcome: { actions: [{ status: 'SKIPPED' }] },
    });
  });

  it('delegates alert-oncall to the escalator', () => {
    const plan = planCommand(
      command({ actions: [{ name: 'alert-oncall', params: { severity: 'CRITICAL' } }] }),
      undefined,
      registry,
      now,
    );
    expect(plan).toMatchObject({
      kind: 'report',
      reason: 'DELEGATED_ONLY',
      outcome: { actions: [{ status: 'DELEGATED' }] },
    });
  });

  it('ignores a command already in the ledger, started or finished', () => {
    const c = command();
    expect(planCommand(c, started(c, now), registry, now).kind).toBe('duplicate');
  });
});

describe('reporting an interrupted command', () => {
  const actions = [
    { name: 'alert-oncall', params: {}, delegated: true, custom: false },
    { name: 'scale-up', params: {}, delegated: false, custom: false },
    { name: 'restart-service', params: {}, delegated: false, custom: false },
  ];

  it('keeps recorded results, marks the action that was due INTERRUPTED and skips the rest', () => {
    const results = interruptedResults(actions, []);
    expect(results.map((r) => r.status)).toEqual(['DELEGATED', 'FAILED', 'SKIPPED']);
    expect(results[1]?.error).toMatch(/^INTERRUPTED/);
  });

  it('starts after the actions already recorded', () => {
    const done = [
      {
        name: 'alert-oncall',
        status: 'DELEGATED' as const,
        durationMs: 0,
        error: null,
        detail: null,
      },
      {
        name: 'scale-up',
        status: 'SUCCEEDED' as const,
        durationMs: 900,
        error: null,
        detail: 'added',
      },
    ];
    expect(interruptedResults(actions, done).map((r) => r.status)).toEqual([
      'DELEGATED',
      'SUCCEEDED',
      'FAILED',
    ]);
  });
});
