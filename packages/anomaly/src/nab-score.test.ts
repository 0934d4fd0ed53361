import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  listCsvFiles,
  readNabSeries,
  readProfiles,
  readResultScores,
  readWindows,
} from './nab-files.js';
import { NAB_PROFILES, PUBLISHED_SUBSET_SCORES } from './nab-published.js';
import { scoreCorpus, scoreProfile, type ScoredFile } from './nab-score.js';

const standard = NAB_PROFILES['standard']!;
// Forty rows at t = 0..39 with one window over rows 20..22; rows 0..5 are probationary. With
// this many rows outside the window, the null detector does best by detecting nothing.
const forty = Array.from({ length: 40 }, (_, i) => i);
const at = (hits: Record<number, number>) => forty.map((i) => hits[i] ?? 0);
const file = (
  path: string,
  scores: number[],
  windows: [number, number][] = [[20, 22]],
): ScoredFile => ({
  path,
  timestamps: forty,
  scores,
  windows,
});

describe('scoreProfile normalisation', () => {
  it("gives 0 to a constant score, as NAB's null detector", () => {
    const s = scoreProfile('standard', standard, [
      file(
        'a/x.csv',
        forty.map(() => 0.5),
      ),
    ]);
    expect(s.nullRaw).toBe(-1);
    expect(s.raw).toBe(-1);
    expect(s.normalised).toBe(0);
  });

  it('gives 100 to a detector that fires at the start of every window and nowhere else', () => {
    const perfect = [file('a/x.csv', at({ 20: 1 })), file('b/y.csv', at({ 20: 1, 21: 1, 22: 1 }))];
    const s = scoreProfile('standard', standard, perfect);
    expect(s.nullRaw).toBe(-2);
    expect(s.perfectRaw).toBe(2);
    expect(s.normalised).toBeCloseTo(100, 10);
  });

  it('gives 0 to a detector whose best threshold detects nothing', () => {
    const s = scoreProfile('standard', standard, [file('a/x.csv', at({ 10: 1 }))]);
    expect(s.threshold).toBe(1.1);
    expect(s.normalised).toBe(0);
  });

  it('scales a late detection plus a false positive between the two', () => {
    // Row 21 is at −2/3 of the window, row 24 one window-width past it:
    // raw = tanh(5/3)/tanh(2.5) − 0.11·tanh(2.5) = 0.835214; null −1, perfect 1.
    const s = scoreProfile('standard', standard, [file('a/x.csv', at({ 21: 0.9, 24: 0.95 }))]);
    const raw = Math.tanh(5 / 3) / Math.tanh(2.5) - 0.11 * Math.tanh(2.5);
    expect(s.threshold).toBe(0.9);
    expect(s.raw).toBeCloseTo(raw, 12);
    expect(s.normalised).toBeCloseTo(50 * (raw + 1), 10);
    expect(s.normalised).toBeCloseTo(91.76, 2);
  });

  it('reports groups at the corpus threshold, raw only where a group has no windows', () => {
    const s = scoreProfile('standard', standard, [
      file('hit/x.csv', at({ 20: 1 })),
      file('quiet/y.csv', at({ 10: 1 }), []),
    ]);
    expect(s.groups.map((g) => [g.group, g.windows])).toEqual([
      ['hit', 1],
      ['quiet', 0],
    ]);
    expect(s.groups[0]!.normalised).toBeCloseTo(100, 10);
    expect(s.groups[1]!.normalised).toBeNull();
    expect(s.groups[1]!.raw).toBeCloseTo(-0.11, 12);
  });
});

// The shared NAB corpus sits beside the checkout (../shared/nab), not in it: a clone elsewhere
// has no published scores to compare with, and skips this block.
const nab = join(import.meta.dirname, '../../../../shared/nab');

describe.skipIf(!existsSync(join(nab, 'published-scores')))(
  "NAB's published scores on the shared subset",
  () => {
    it('reproduces windowedGaussian and relativeEntropy for all three profiles', async () => {
      const windows = await readWindows(join(nab, 'combined_windows.json'));
      const profiles = await readProfiles(join(nab, 'profiles.json'));
      const paths = await listCsvFiles(join(nab, 'data'));
      const series = await Promise.all(paths.map((p) => readNabSeries(join(nab, 'data'), p)));
      for (const detector of ['windowedGaussian', 'relativeEntropy']) {
        const files = await Promise.all(
          series.map(async (s) => ({
            path: s.path,
            timestamps: s.timestamps,
            windows: windows.get(s.path)!,
            scores: await readResultScores(join(nab, 'published-scores'), detector, s.path),
          })),
        );
        const published = PUBLISHED_SUBSET_SCORES.find((p) => p.detector === detector)!;
        for (const score of scoreCorpus(profiles, files)) {
          const expected = published[score.profile as 'standard'];
          expect(
            Math.abs(score.normalised - expected),
            `${detector} ${score.profile}`,
          ).toBeLessThan(0.05);
        }
      }
    }, 30_000);
  },
);
