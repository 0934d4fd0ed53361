import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { formatNabTimestamp, resultsFilePath } from './nab-files.js';
import { runNab } from './nab-runner.js';

const T0 = Date.UTC(2014, 3, 1);
const FIVE_MINUTES = 300_000;

/** A small NAB-shaped corpus: one file with a level shift inside its window, one without anomaly. */
async function corpus(dir: string): Promise<{ dataDir: string; windowsFile: string }> {
  const dataDir = join(dir, 'data');
  const rows = 1200;
  const stamp = (i: number) => formatNabTimestamp(T0 + i * FIVE_MINUTES);
  const csv = (value: (i: number) => number) =>
    [
      'timestamp,value',
      ...Array.from({ length: rows }, (_, i) => `${stamp(i)},${value(i).toFixed(3)}`),
    ].join('\n');
  const wave = (i: number) => 20 + 5 * Math.sin((2 * Math.PI * i) / 288) + Math.sin(i * 7.3);
  await mkdir(join(dataDir, 'synthetic'), { recursive: true });
  await writeFile(
    join(dataDir, 'synthetic/shift.csv'),
    csv((i) => wave(i) + (i >= 900 && i < 960 ? 30 : 0)),
  );
  await writeFile(join(dataDir, 'synthetic/calm.csv'), csv(wave));
  const windowsFile = join(dir, 'windows.json');
  const windows = {
    'synthetic/shift.csv': [[`${stamp(880)}.000000`, `${stamp(940)}.000000`]],
    'synthetic/calm.csv': [],
  };
  await writeFile(windowsFile, JSON.stringify(windows));
  return { dataDir, windowsFile };
}

describe('runNab', () => {
  it('streams each file through the scorer, writes NAB results files and scores them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nab-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const { dataDir, windowsFile } = await corpus(dir);
    const resultsDir = join(dir, 'results');

    const report = await runNab({ dataDir, windowsFile, resultsDir });

    expect(report).toMatchObject({ files: 2, rows: 2400, unlabelled: [] });
    expect(report.scores.map((s) => s.profile)).toEqual([
      'standard',
      'reward_low_FP_rate',
      'reward_low_FN_rate',
    ]);
    const standard = report.scores[0]!;
    expect(standard.tp).toBeGreaterThan(0);
    expect(standard.normalised).toBeGreaterThan(80);

    const written = await readFile(
      resultsFilePath(resultsDir, report.detector, 'synthetic/shift.csv'),
      'utf8',
    );
    const lines = written.trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score,label');
    expect(lines).toHaveLength(1201);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows[880]![3]).toBe('1');
    expect(rows[879]![3]).toBe('0');
    expect(rows.every((r) => Number(r[2]) >= 0 && Number(r[2]) <= 1)).toBe(true);
  });
});
