import { describe, expect, it } from 'vitest';
import { parseComponents } from '../components/registry.js';
import { resolveDecisionConfig } from '../decide/config.js';
import { emptyState, pruneState, restoreState } from '../decide/state.js';
import { applyControl } from './apply.js';
import { controlRecord } from './control.test-support.js';
import { leverActive, scopeCovers, WEEK_MS } from './scope.js';

const T0 = Date.parse('2026-03-02T02:00:00Z'); // a Monday, 02:00
const HOUR = 3_600_000;
const config = resolveDecisionConfig();

const registry = parseComponents(
  `components:
  payments:
    executor: process
    target: payments
    allowed_actions: [restart-service]
    oncall: { team: money, route: money }
    labels: { tier: critical, region: eu }
  search:
    executor: process
    target: search
    allowed_actions: [restart-service]
    oncall: { team: discovery, route: discovery }
    labels: { tier: standard, region: eu }
`,
  'components.yaml',
);

const scope = (s: Partial<ReturnType<typeof controlRecord>['scope']>) => ({
  all: false,
  component: null,
  team: null,
  labels: {},
  ...s,
});

describe('applyControl', () => {
  it('puts a window in place, replaces it with a later SET and removes it on END', () => {
    const set = controlRecord({
      scope: scope({ component: 'payments' }),
      startsAt: T0,
      endsAt: T0 + HOUR,
    });
    const a = applyControl(emptyState(), set);
    expect(a.applied).toBe(true);
    expect(a.summary).toMatch(/maintenance window maintenance:test for component payments/);
    expect(Object.keys(a.state.control.windows)).toEqual(['maintenance:test']);
    const b = applyControl(a.state, { ...set, endsAt: T0 + 2 * HOUR });
    expect(b.state.control.windows['maintenance:test']?.endsAt).toBe(T0 + 2 * HOUR);
    const c = applyControl(b.state, { ...set, action: 'END' });
    expect(c.state.control.windows).toEqual({});
    // Pure: the earlier states are as they were.
    expect(a.state.control.windows['maintenance:test']?.endsAt).toBe(T0 + HOUR);
    expect(emptyState().control.windows).toEqual({});
  });

  it('keeps pauses, acknowledgements and policy overrides apart, and ignores kinds it does not apply', () => {
    let state = emptyState();
    state = applyControl(
      state,
      controlRecord({ controlId: 'pause:all', kind: 'PAUSE', scope: scope({ all: true }) }),
    ).state;
    state = applyControl(
      state,
      controlRecord({ controlId: 'ack:inc-1', kind: 'ACKNOWLEDGE', incidentId: 'inc-1' }),
    ).state;
    state = applyControl(
      state,
      controlRecord({
        controlId: 'policy:p',
        kind: 'POLICY_OVERRIDE',
        policy: 'p',
        policyMode: 'shadow',
      }),
    ).state;
    expect(Object.keys(state.control.pauses)).toEqual(['pause:all']);
    expect(Object.keys(state.control.acks)).toEqual(['inc-1']);
    expect(state.control.overrides['p']?.mode).toBe('shadow');
    const bad = applyControl(
      state,
      controlRecord({
        controlId: 'policy:q',
        kind: 'POLICY_OVERRIDE',
        policy: 'q',
        policyMode: 'sideways',
      }),
    );
    expect(bad.state.control.overrides['q']).toBeUndefined();
    const approval = applyControl(state, controlRecord({ kind: 'APPROVAL', commandId: 'cmd-1' }));
    expect(approval.applied).toBe(false);
    expect(approval.state).toBe(state);
  });

  it('restores a state written before the control section existed, with an empty one', () => {
    const { control: _, ...old } = emptyState();
    expect(restoreState(JSON.parse(JSON.stringify(old))).control).toEqual({
      windows: {},
      pauses: {},
      acks: {},
      overrides: {},
    });
  });
});

describe('expiry by event time', () => {
  it('prunes a one-off window and a pause once their end has passed, not before', () => {
    let state = applyControl(
      emptyState(),
      controlRecord({ scope: scope({ all: true }), startsAt: T0, endsAt: T0 + HOUR }),
    ).state;
    state = applyControl(
      state,
      controlRecord({
        controlId: 'pause:all',
        kind: 'PAUSE',
        scope: scope({ all: true }),
        endsAt: T0 + 2 * HOUR,
      }),
    ).state;
    const during = pruneState(state, T0 + HOUR - 1, config);
    expect(Object.keys(during.control.windows)).toEqual(['maintenance:test']);
    const after = pruneState(state, T0 + HOUR, config);
    expect(after.control.windows).toEqual({});
    expect(Object.keys(after.control.pauses)).toEqual(['pause:all']);
    expect(pruneState(state, T0 + 2 * HOUR, config).control.pauses).toEqual({});
  });

  it('keeps a weekly window for good, and an open-ended pause until it is lifted', () => {
    let state = applyControl(
      emptyState(),
      controlRecord({
        scope: scope({ all: true }),
        startsAt: T0,
        endsAt: T0 + HOUR,
        recurrence: 'weekly',
      }),
    ).state;
    state = applyControl(
      state,
      controlRecord({ controlId: 'pause:x', kind: 'PAUSE', scope: scope({ all: true }) }),
    ).state;
    const later = pruneState(state, T0 + 30 * WEEK_MS, config);
    expect(Object.keys(later.control.windows)).toEqual(['maintenance:test']);
    expect(Object.keys(later.control.pauses)).toEqual(['pause:x']);
  });

  it('drops an acknowledgement once its incident is closed', () => {
    let state = applyControl(
      emptyState(),
      controlRecord({
        controlId: 'ack:inc-1',
        kind: 'ACKNOWLEDGE',
        incidentId: 'inc-1',
        createdAt: T0,
      }),
    ).state;
    const open = {
      component: 'payments',
      openedAt: T0,
      lastSeenAt: T0,
      closedAt: null,
      attempts: 0,
      tried: [],
      escalated: false,
      history: [],
      holds: {},
      controlPaged: [],
      cause: '',
      flap: null,
    };
    state = { ...state, incidents: { 'inc-1': open } };
    expect(Object.keys(pruneState(state, T0 + HOUR, config).control.acks)).toEqual(['inc-1']);
    state = { ...state, incidents: { 'inc-1': { ...open, closedAt: T0 + 1 } } };
    expect(pruneState(state, T0 + HOUR, config).control.acks).toEqual({});
  });
});

describe('weekly recurrence', () => {
  const lever = {
    ...controlRecord({
      scope: scope({ all: true }),
      startsAt: T0,
      endsAt: T0 + 2 * HOUR,
      recurrence: 'weekly',
    }),
  };
  it('is in force for the same span every week from its start, and not in between', () => {
    expect(leverActive(lever, T0 - 1)).toBe(false);
    expect(leverActive(lever, T0)).toBe(true);
    expect(leverActive(lever, T0 + 2 * HOUR - 1)).toBe(true);
    expect(leverActive(lever, T0 + 2 * HOUR)).toBe(false);
    expect(leverActive(lever, T0 + 3 * 24 * HOUR)).toBe(false);
    expect(leverActive(lever, T0 + 5 * WEEK_MS + HOUR)).toBe(true);
    expect(leverActive(lever, T0 + 5 * WEEK_MS + 3 * HOUR)).toBe(false);
  });
  it('a one-off window is in force once', () => {
    const once = { ...lever, recurrence: null };
    expect(leverActive(once, T0 + HOUR)).toBe(true);
    expect(leverActive(once, T0 + WEEK_MS + HOUR)).toBe(false);
  });
});

describe('scope matching', () => {
  it('covers by component (glob), team and labels from the registry, all set fields at once', () => {
    expect(scopeCovers(scope({ all: true }), 'anything', null)).toBe(true);
    expect(scopeCovers(scope({ component: 'pay*' }), 'payments', registry)).toBe(true);
    expect(scopeCovers(scope({ component: 'pay*' }), 'search', registry)).toBe(false);
    expect(scopeCovers(scope({ team: 'money' }), 'payments', registry)).toBe(true);
    expect(scopeCovers(scope({ team: 'money' }), 'search', registry)).toBe(false);
    expect(scopeCovers(scope({ labels: { region: 'eu' } }), 'search', registry)).toBe(true);
    expect(
      scopeCovers(scope({ labels: { region: 'eu', tier: 'critical' } }), 'search', registry),
    ).toBe(false);
    expect(
      scopeCovers(scope({ labels: { region: 'eu', tier: 'critical' } }), 'payments', registry),
    ).toBe(true);
    expect(
      scopeCovers(scope({ team: 'money', labels: { tier: 'standard' } }), 'payments', registry),
    ).toBe(false);
  });
  it('covers nothing when nothing is set, and no team or label without a registry', () => {
    expect(scopeCovers(scope({}), 'payments', registry)).toBe(false);
    expect(scopeCovers(scope({ team: 'money' }), 'payments', null)).toBe(false);
    expect(scopeCovers(scope({ labels: { tier: 'critical' } }), 'unknown', registry)).toBe(false);
  });
});
