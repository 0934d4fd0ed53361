import { describe, expect, it } from 'vitest';
import { parseComponents } from '../components/registry.js';
import { resolveDecisionConfig } from './config.js';
import { decide } from './decide.js';
import { emptyState, restoreState, type EvaluatorState } from './state.js';
import { diagnosisOf, policiesOf, T0 } from './decide.test-support.js';

const policies = policiesOf(`
- name: Latency Restart
  conditions:
    - {metric: latency_p99, operator: gt, threshold: 500}
    - {metric: error_rate, operator: gt, threshold: 0.1}
  actions: [restart-service]
  priority: 9
  runbook: https://runbooks.example/latency
- name: Memory Restart
  conditions: [{metric: memory_util, operator: gt, threshold: 0.9}]
  actions: [restart-service]
  priority: 5
- name: Other Team
  selector: {components: [search]}
  conditions: [{metric: latency_p99, operator: gt, threshold: 100}]
  actions: [scale-up]
`);

const components = parseComponents(
  `
components:
  payments:
    executor: process
    target: payments
    allowed_actions: [restart-service, scale-up, alert-oncall]
    runbook: https://runbooks.example/payments
`,
  'components.yaml',
);

const config = resolveDecisionConfig({ unhandledPageAfterMs: 300_000 });
/** Latency high, errors normal: the first policy half matches, so nothing acts. */
const unmatched = (at: number, severity: 'WARNING' | 'CRITICAL' | 'INFO' = 'WARNING') =>
  diagnosisOf({ latency_p99: 900, error_rate: 0.01, memory_util: 0.4 }, at, {
    severity,
    anomalies: [
      { metric: 'latency_p99', value: 900, baseline: 300, score: 1, detector: 'threshold' },
    ],
    causes: [{ cause: 'unknown', confidence: 0.8, evidence: ['no catalogued cause explains'] }],
  });

function hold(seconds: number[], state: EvaluatorState = emptyState(), input = {}) {
  const pages = [];
  for (const s of seconds) {
    const r = decide({
      diagnosis: unmatched(T0 + s * 1000),
      state,
      policies,
      components,
      config,
      now: T0 + s * 1000,
      ...input,
    });
    expect(r.decision.verdict).toBe('NO_MATCH');
    pages.push(...r.escalations);
    state = r.state;
  }
  return { pages, state };
}

describe('unhandled incidents are paged', () => {
  it('pages once when a NO_MATCH incident outlasts unhandled_page_after, with evidence and near misses', () => {
    const { pages, state } = hold([0, 60, 200, 299, 300, 305, 600, 1200]);
    expect(pages).toHaveLength(1);
    const page = pages[0]!;
    expect(page).toMatchObject({
      source: 'UNHANDLED',
      incidentId: 'inc-1',
      component: 'payments',
      severity: 'WARNING',
      createdAt: T0 + 300_000,
      dedupKey: 'healstream/incident/inc-1',
    });
    expect(page.details).toContain('anomaly: latency_p99 900');
    expect(page.details).toContain('cause: unknown 0.80');
    expect(page.details).toContain('policies that almost matched:');
    // The half-matching policy ranks first; the one for another component is left out.
    expect(page.details).toMatch(/- Latency Restart \(1\/2 conditions hold\): .*error_rate/);
    expect(page.details.indexOf('Latency Restart')).toBeLessThan(
      page.details.indexOf('Memory Restart'),
    );
    expect(page.details).not.toContain('Other Team');
    // The component's runbook first, then those of the policies it names.
    expect(page.links).toEqual([
      'runbook: https://runbooks.example/payments',
      'runbook: https://runbooks.example/latency',
    ]);
    // The state says so across a restore (changelog), so a replay or a new owner does not repeat it.
    expect(restoreState(JSON.parse(JSON.stringify(state))).incidents['inc-1']?.unhandledPaged).toBe(
      true,
    );
  });

  it('takes its severity from the anomaly, CRITICAL if any step was', () => {
    let state = emptyState();
    for (const [s, severity] of [
      [0, 'CRITICAL'],
      [100, 'WARNING'],
    ] as const)
      state = decide({
        diagnosis: unmatched(T0 + s * 1000, severity),
        state,
        policies,
        components,
        config,
        now: T0 + s * 1000,
      }).state;
    const r = decide({
      diagnosis: unmatched(T0 + 400_000, 'INFO'),
      state,
      policies,
      components,
      config,
      now: T0 + 400_000,
    });
    expect(r.escalations.map((e) => [e.source, e.severity])).toEqual([['UNHANDLED', 'CRITICAL']]);
  });

  it('never pages an incident something acted on, nor when switched off', () => {
    const acting = policiesOf(`
- name: Restart
  conditions: [{metric: latency_p99, operator: gt, threshold: 500}]
  actions: [restart-service]
`);
    let state = emptyState();
    const first = decide({ diagnosis: unmatched(T0), state, policies: acting, config, now: T0 });
    expect(first.decision.verdict).toBe('DISPATCHED');
    state = decide({
      diagnosis: unmatched(T0 + 1000),
      state: first.state,
      policies: acting,
      config,
      now: T0 + 1000,
    }).state;
    const later = decide({
      diagnosis: unmatched(T0 + 400_000),
      state,
      policies: acting,
      config,
      now: T0 + 400_000,
    });
    expect(later.escalations.filter((e) => e.source === 'UNHANDLED')).toEqual([]);

    const off = hold([0, 400, 900], emptyState(), {
      config: resolveDecisionConfig({ unhandledPageAfterMs: null }),
    });
    expect(off.pages).toEqual([]);
  });
});
