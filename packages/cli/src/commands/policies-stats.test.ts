import { describe, expect, it } from 'vitest';
import { statsRows, statsTable } from './policies-stats-format.js';

const row = (over: Partial<Parameters<typeof statsTable>[0][number]> = {}) => ({
  component: 'payments',
  policy: 'Critical Latency Spike',
  cause: 'memory-leak',
  attempts: 4,
  successes: 1,
  pending: 0,
  rate: 0.25,
  demoted: true,
  ...over,
});

describe('policies stats', () => {
  it('shows one line per policy × cause × component with its rate and mode', () => {
    const rows = statsRows([
      { component: 'payments', updatedAt: 2, rows: [row()] },
      {
        component: 'checkout',
        updatedAt: 1,
        rows: [row({ component: 'checkout', successes: 3, rate: 0.75, demoted: false })],
      },
    ]);
    expect(rows.map((r) => r.component)).toEqual(['checkout', 'payments']);
    const lines = statsTable(rows).split('\n');
    expect(lines[0]).toMatch(/^policy\s+cause\s+component\s+success\s+attempts\s+pending\s+mode$/);
    expect(lines[2]).toMatch(
      /^Critical Latency Spike\s+memory-leak\s+checkout\s+75%\s+3\/4\s+0\s+enforce$/,
    );
    expect(lines[3]).toMatch(/payments\s+25%\s+1\/4\s+0\s+shadow \(demoted\)$/);
  });

  it('says so when nothing was attempted yet', () => {
    expect(statsTable([])).toBe('no healing attempts recorded yet');
    expect(
      statsTable([row({ attempts: 0, successes: 0, pending: 1, rate: null, demoted: false })]),
    ).toContain('—');
  });
});
