import { describe, expect, it } from 'vitest';
import { leaveOneGroupOut } from './nab-logo.js';
import { NAB_PROFILES } from './nab-published.js';
import { scoreProfile, type ScoredFile } from './nab-score.js';

const standard = NAB_PROFILES['standard']!;
const forty = Array.from({ length: 40 }, (_, i) => i);
const at = (hits: Record<number, number>) => forty.map((i) => hits[i] ?? 0);
const file = (path: string, scores: number[]): ScoredFile => ({
  path,
  timestamps: forty,
  scores,
  windows: [[20, 22]],
});

describe('leaveOneGroupOut', () => {
  // Groups a and b detect their window at 0.9; group c only at 0.6, with a false alarm at 0.7
  // in a and b. Fitted on everything, one threshold serves all; fitted without c, 0.9 is chosen
  // and c's window is missed.
  const files = [
    file('a/1.csv', at({ 20: 0.9, 10: 0.7 })),
    file('b/1.csv', at({ 20: 0.9, 10: 0.7 })),
    file('c/1.csv', at({ 20: 0.6 })),
  ];

  it('scores each group at the threshold the other groups choose', () => {
    const logo = leaveOneGroupOut('standard', standard, files);
    const c = logo.groups.find((g) => g.group === 'c');
    expect(c?.threshold).toBe(0.9);
    expect(c?.normalised).toBe(0);
    // Without a, c pulls the threshold down to 0.6: a finds its window but pays its false alarm.
    const a = logo.groups.find((g) => g.group === 'a');
    expect(a?.threshold).toBe(0.6);
    expect(a?.falsePositives).toBe(1);
    expect(a?.normalised).toBeGreaterThan(90);
    expect(a?.normalised).toBeLessThan(100);
    expect(logo.mean).toBeCloseTo((2 * (a?.normalised ?? 0)) / 3, 6);
  });

  it('agrees with the corpus score when the groups do not pull the threshold apart', () => {
    const same = [file('a/1.csv', at({ 20: 0.9 })), file('b/1.csv', at({ 20: 0.9 }))];
    const logo = leaveOneGroupOut('standard', standard, same);
    expect(logo.pooled).toBeCloseTo(scoreProfile('standard', standard, same).normalised, 6);
  });
});
