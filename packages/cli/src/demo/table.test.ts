import { describe, expect, it } from 'vitest';
import { resultTable } from './table.js';
import type { ScenarioResult } from './runner.js';

const row = (over: Partial<ScenarioResult>): ScenarioResult => ({
  scenario: 'pool-exhaustion',
  title: 't',
  component: 'payments',
  fault: 'pool-exhaustion',
  expected: 'heal',
  detectedAfterMs: 2140,
  diagnosedAs: 'connection-pool-exhaustion',
  confidence: 0.9,
  policy: 'Restart On Pool Exhaustion',
  actions: ['restart-service'],
  recoveredAfterMs: 7420,
  pageSent: null,
  ok: true,
  note: 'healed',
  ...over,
});

describe('the demo’s final table', () => {
  it('shows each scenario’s timings, cause, action, page and result in aligned columns', () => {
    const text = resultTable([
      row({}),
      row({
        scenario: 'unfixable',
        expected: 'page',
        recoveredAfterMs: null,
        diagnosedAs: 'unknown',
        confidence: 1,
        actions: ['restart-service', 'scale-up'],
        pageSent: 'alertmanager (HEALING_FAILED)',
        note: 'ladder exhausted, on-call paged',
      }),
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      /^scenario\s+detected after\s+diagnosed as\s+action\s+recovered after \(MTTR\)\s+page sent\s+result$/,
    );
    expect(lines[2]).toContain('2.1 s');
    expect(lines[2]).toContain('connection-pool-exhaustion (0.90)');
    expect(lines[2]).toContain('7.4 s');
    expect(lines[2]).toMatch(/\bno\s+ok$/);
    expect(lines[3]).toContain('restart-service, scale-up');
    expect(lines[3]).toContain('—');
    expect(lines[3]).toContain('alertmanager (HEALING_FAILED)');
    // columns line up: the page column starts at the same offset in every row
    expect(lines[2]?.indexOf('no  ')).toBe(lines[0]?.indexOf('page sent'));
  });
});
