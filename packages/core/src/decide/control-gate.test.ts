import { describe, expect, it } from 'vitest';
import type { ControlRecord } from '@healstream/contracts';
import { parseComponents } from '../components/registry.js';
import { applyControl } from '../control/apply.js';
import { controlRecord } from '../control/control.test-support.js';
import { decide } from './decide.js';
import { diagnosisOf, policiesOf, T0 } from './decide.test-support.js';
import { emptyState, type EvaluatorState } from './state.js';

const policies = policiesOf(`
- name: Restart
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [restart-service]
  priority: 8
- name: Scale
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [scale-up]
  priority: 5
`);
const HOUR = 3_600_000;
const components = parseComponents(
  `components:
  payments:
    executor: process
    target: payments
    allowed_actions: [restart-service, scale-up]
    oncall: { team: money, route: money }
    labels: { tier: critical }
`,
  'components.yaml',
);

const withControl = (...records: Partial<ControlRecord>[]): EvaluatorState =>
  records.reduce((s, r) => applyControl(s, controlRecord(r)).state, emptyState());

function step(state: EvaluatorState, at: number, incidentId = 'inc-1') {
  return decide({
    diagnosis: diagnosisOf({ x: 20 }, at, { incidentId }),
    state,
    policies,
    components,
    now: at,
  });
}

const window = (overrides: Partial<ControlRecord> = {}): Partial<ControlRecord> => ({
  controlId: 'maintenance:db',
  kind: 'MAINTENANCE',
  scope: { all: false, component: null, team: 'money', labels: {} },
  startsAt: T0,
  endsAt: T0 + HOUR,
  author: 'alice',
  comment: 'db migration',
  ...overrides,
});

describe('maintenance windows in a decision', () => {
  it('skip the action inside the window, page once, and act after it', () => {
    const state = withControl(window());
    const inside = step(state, T0 + 60_000);
    expect(inside.decision.verdict).toBe('SKIPPED_MAINTENANCE');
    expect(inside.decision.policy).toBe('Restart');
    expect(inside.decision.reason).toMatch(
      /^maintenance window maintenance:db by alice \(db migration\) covers team money until 2026-03-01T11:00:00.000Z; would run restart-service \(Restart\); page sent$/,
    );
    expect(inside.commands).toEqual([]);
    expect(inside.escalations).toHaveLength(1);
    expect(inside.escalations[0]).toMatchObject({ source: 'UNHANDLED', incidentId: 'inc-1' });
    expect(inside.state.incidents['inc-1']?.attempts).toBe(0);
    expect(inside.state.cooldowns).toEqual({});
    const again = step(inside.state, T0 + 120_000);
    expect(again.decision.reason).toMatch(/page already sent$/);
    expect(again.escalations).toEqual([]);
    const after = step(again.state, T0 + HOUR);
    expect(after.decision.verdict).toBe('DISPATCHED');
    expect(after.commands.map((c) => c.actions[0]?.name)).toEqual(['restart-service']);
    // Expired windows leave the state by themselves.
    expect(after.state.control.windows).toEqual({});
  });

  it('hold pages when the window says so, also the page of a spent ladder', () => {
    const held = step(withControl(window({ holdPages: true })), T0 + 1);
    expect(held.decision.verdict).toBe('SKIPPED_MAINTENANCE');
    expect(held.decision.reason).toMatch(/pages held$/);
    expect(held.escalations).toEqual([]);
    // A ladder spent before the window opened: its ESCALATE page is held, and the decision says so.
    let state = emptyState();
    state = {
      ...state,
      incidents: {
        'inc-1': {
          component: 'payments',
          openedAt: T0,
          lastSeenAt: T0,
          closedAt: null,
          attempts: 3,
          tried: [],
          escalated: false,
          history: [],
          holds: {},
          controlPaged: [],
          cause: '',
          flap: null,
        },
      },
    };
    state = applyControl(state, controlRecord(window({ holdPages: true }))).state;
    const spent = step(state, T0 + 1);
    expect(spent.decision.verdict).toBe('ESCALATE');
    expect(spent.escalations).toEqual([]);
    expect(spent.decision.reason).toMatch(
      /; page held by maintenance window maintenance:db \(alice \(db migration\)\)$/,
    );
  });

  it('repeat weekly and leave other components alone', () => {
    const state = withControl(window({ recurrence: 'weekly' }));
    expect(step(state, T0 + 7 * 24 * HOUR + 1).decision.verdict).toBe('SKIPPED_MAINTENANCE');
    expect(step(state, T0 + 7 * 24 * HOUR + HOUR).decision.verdict).toBe('DISPATCHED');
    const other = decide({
      diagnosis: diagnosisOf({ x: 20 }, T0 + 1, { component: 'search' }),
      state,
      policies,
      now: T0 + 1,
    });
    expect(other.decision.verdict).toBe('DISPATCHED');
  });

  it('stop acting from the END record on', () => {
    const state = withControl(window(), window({ action: 'END' }));
    expect(step(state, T0 + 1).decision.verdict).toBe('DISPATCHED');
  });
});

describe('a pause', () => {
  it('turns the dispatch into SHADOW with the command that would have run, and lets the ladder be', () => {
    const state = withControl({
      controlId: 'pause:component:payments',
      kind: 'PAUSE',
      scope: { all: false, component: 'payments', team: null, labels: {} },
      author: 'bob',
      comment: 'investigating',
      endsAt: T0 + 30 * 60_000,
    });
    const paused = step(state, T0 + 1);
    expect(paused.decision.verdict).toBe('SHADOW');
    expect(paused.decision.reason).toMatch(
      /^paused by bob \(investigating\) \(pause:component:payments, component payments until .*\): would run restart-service \(Restart\)$/,
    );
    expect(paused.commands).toHaveLength(1);
    expect(paused.commands[0]).toMatchObject({ mode: 'SHADOW', policy: { name: 'Restart' } });
    expect(paused.decision.commandId).toBe(paused.commands[0]?.commandId);
    expect(paused.state.incidents['inc-1']?.attempts).toBe(0);
    expect(paused.state.inFlight).toEqual({});
    expect(step(paused.state, T0 + 30 * 60_000).decision.verdict).toBe('DISPATCHED');
  });
});

describe('an acknowledgement', () => {
  it('stops further automatic action on that incident only', () => {
    const state = withControl({
      controlId: 'ack:inc-1',
      kind: 'ACKNOWLEDGE',
      incidentId: 'inc-1',
      author: 'carol',
      comment: 'mine',
      createdAt: T0,
    });
    const acked = step(state, T0 + 1);
    expect(acked.decision.verdict).toBe('SKIPPED_ACKNOWLEDGED');
    expect(acked.decision.reason).toMatch(
      /^incident acknowledged by carol \(mine\) at .*: no further automatic action until it resolves; would run restart-service \(Restart\)$/,
    );
    expect(acked.commands).toEqual([]);
    expect(step(state, T0 + 1, 'inc-2').decision.verdict).toBe('DISPATCHED');
  });
});

describe('the kill switch', () => {
  it('disables a policy at run time: the next one acts, and evaluated says who switched it', () => {
    const state = withControl({
      controlId: 'policy:Restart',
      kind: 'POLICY_OVERRIDE',
      policy: 'Restart',
      policyMode: 'disabled',
      author: 'dave',
      comment: 'loops',
    });
    const r = step(state, T0 + 1);
    expect(r.decision.verdict).toBe('DISPATCHED');
    expect(r.decision.policy).toBe('Scale');
    expect(r.decision.evaluated[0]).toMatchObject({
      policy: 'Restart',
      outcome: 'disabled',
      reason: 'kill switch policy:Restart: disabled by dave (loops)',
    });
  });

  it('shadows a policy at run time: recorded as SHADOW, the next one acts', () => {
    const state = withControl({
      controlId: 'policy:Restart',
      kind: 'POLICY_OVERRIDE',
      policy: 'Restart',
      policyMode: 'shadow',
    });
    const r = step(state, T0 + 1);
    expect(r.decision.policy).toBe('Scale');
    expect(r.shadow?.verdict).toBe('SHADOW');
    expect(r.shadow?.policy).toBe('Restart');
    expect(r.decision.evaluated[0]?.reason).toMatch(
      /; kill switch policy:Restart: shadow by alice \(test\); shadow mode: recorded, not acted on$/,
    );
  });
});
