import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  PUBLISHED_SUBSET_SCORES,
  runNab,
  type NabRunReport,
  type ProfileScore,
} from '@healstream/anomaly';
import { CliError, type Command } from '../command.js';

const COMPARED = ['windowedGaussian', 'relativeEntropy'];
const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toFixed(1));

function profileTable(report: NabRunReport): string[] {
  const names = [report.detector, ...report.published.map((p) => p.detector)];
  const lines = [
    ['profile'.padEnd(20), ...names.map((n) => n.padStart(17)), 'threshold'.padStart(10)].join(' '),
  ];
  report.scores.forEach((ours, i) => {
    const cells = [ours, ...report.published.map((p) => p.scores[i])].map((s) =>
      fmt(s?.normalised).padStart(17),
    );
    lines.push(
      [ours.profile.padEnd(20), ...cells, ours.threshold.toFixed(4).padStart(10)].join(' '),
    );
  });
  return lines;
}

function groupTable(report: NabRunReport, profile: ProfileScore, index: number): string[] {
  const names = [report.detector, ...report.published.map((p) => p.detector)];
  const lines = [
    `per data group, ${profile.profile} profile (raw score where a group has no windows):`,
  ];
  lines.push(
    ['group'.padEnd(22), 'windows'.padStart(7), ...names.map((n) => n.padStart(17))].join(' '),
  );
  profile.groups.forEach((g, k) => {
    const all = [g, ...report.published.map((p) => p.scores[index]?.groups[k])];
    const cells = all.map((x) =>
      (x?.normalised === null ? `(${fmt(x.raw)})` : fmt(x?.normalised)).padStart(17),
    );
    lines.push([g.group.padEnd(22), String(g.windows).padStart(7), ...cells].join(' '));
  });
  return lines;
}

function scoreboard(report: NabRunReport): string[] {
  const ours = Object.fromEntries(report.scores.map((s) => [s.profile, s.normalised]));
  const rows = [
    ...PUBLISHED_SUBSET_SCORES,
    {
      detector: `${report.detector} (this run)`,
      standard: ours['standard'] ?? NaN,
      reward_low_FP_rate: ours['reward_low_FP_rate'] ?? NaN,
      reward_low_FN_rate: ours['reward_low_FN_rate'] ?? NaN,
    },
  ].sort((a, b) => b.standard - a.standard);
  const lines = ['published scores on this subset (NAB scorer), with this run:'];
  lines.push(
    `${'detector'.padEnd(26)} ${'standard'.padStart(9)} ${'low FP'.padStart(9)} ${'low FN'.padStart(9)}`,
  );
  for (const r of rows) {
    const cells = [r.standard, r.reward_low_FP_rate, r.reward_low_FN_rate].map((v) =>
      fmt(v).padStart(9),
    );
    lines.push(`${r.detector.padEnd(26)} ${cells.join(' ')}`);
  }
  return lines;
}

export const nab: Command = {
  path: ['nab'],
  summary: "score the anomaly detector on the Numenta Anomaly Benchmark with NAB's method",
  usage:
    'healstream nab [--data DIR] [--windows FILE] [--results DIR] [--profiles FILE] [--published DIR] [--json]',
  options: {
    data: { type: 'string' },
    windows: { type: 'string' },
    results: { type: 'string' },
    profiles: { type: 'string' },
    published: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const path = (name: string, fallback: string) =>
      resolve(io.cwd, (args.values[name] as string | undefined) ?? fallback);
    const dataDir = path('data', '../shared/nab/data');
    const windowsFile = path('windows', '../shared/nab/combined_windows.json');
    if (!existsSync(dataDir))
      throw new CliError(`nab: no data folder at ${dataDir} (pass --data DIR)`);
    if (!existsSync(windowsFile))
      throw new CliError(`nab: no windows file at ${windowsFile} (pass --windows FILE)`);
    const resultsDir = path('results', '.healstream/nab-results');
    const report = await runNab({
      dataDir,
      windowsFile,
      resultsDir,
      profilesFile: path('profiles', '../shared/nab/profiles.json'),
      publishedDir: path('published', '../shared/nab/published-scores'),
      publishedDetectors: COMPARED,
    });
    if (report.files === 0) throw new CliError(`nab: no labelled .csv files under ${dataDir}`);
    if (args.values['json']) {
      io.out(JSON.stringify({ ...report, resultsDir }));
      return 0;
    }
    const rate = report.rows / (report.scorerMs / 1000);
    io.out(
      `${report.files} files, ${report.rows} rows; scorer ${report.scorerMs.toFixed(0)} ms (${(rate / 1e6).toFixed(2)}M samples/s)`,
    );
    io.out(`per-row scores in ${resultsDir}/${report.detector}/`);
    if (report.unlabelled.length > 0)
      io.out(`skipped (no windows): ${report.unlabelled.join(', ')}`);
    io.out('');
    io.out(profileTable(report).join('\n'));
    for (const [i, profile] of report.scores.entries())
      io.out(['', ...groupTable(report, profile, i)].join('\n'));
    io.out(['', ...scoreboard(report)].join('\n'));
    return 0;
  },
};
