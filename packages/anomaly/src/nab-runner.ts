import { existsSync } from 'node:fs';
import {
  listCsvFiles,
  readNabSeries,
  readProfiles,
  readResultScores,
  readWindows,
  resultsFilePath,
  writeResultFile,
} from './nab-files.js';
import { NAB_PROFILES } from './nab-published.js';
import { NAB_DETECTOR_NAME, scoreSeries } from './nab-run.js';
import { scoreCorpus, type ProfileScore, type ScoredFile } from './nab-score.js';
import type { CostMatrix } from './nab-sweep.js';
import type { ScorerOptions } from './types.js';

export interface NabRunOptions {
  readonly dataDir: string;
  readonly windowsFile: string;
  /** Cost matrices; NAB's own three profiles when absent. */
  readonly profilesFile?: string;
  /** Where to write per-row scores in NAB's results layout; nothing is written when absent. */
  readonly resultsDir?: string;
  /** Folder of other detectors' per-row scores in NAB's results layout, scored alongside ours. */
  readonly publishedDir?: string;
  readonly publishedDetectors?: readonly string[];
  readonly scorer?: ScorerOptions;
}

export interface NabRunReport {
  readonly detector: string;
  readonly files: number;
  readonly rows: number;
  /** Files in the data folder with no entry in the windows file; NAB skips them too. */
  readonly unlabelled: readonly string[];
  /** Time spent in the scorer alone. */
  readonly scorerMs: number;
  readonly scores: readonly ProfileScore[];
  readonly published: readonly { detector: string; scores: readonly ProfileScore[] }[];
}

/** Runs our scorer over every labelled file under `dataDir` and scores it with NAB's method. */
export async function runNab(options: NabRunOptions): Promise<NabRunReport> {
  const profiles: Record<string, CostMatrix> =
    options.profilesFile && existsSync(options.profilesFile)
      ? await readProfiles(options.profilesFile)
      : { ...NAB_PROFILES };
  const windows = await readWindows(options.windowsFile);
  const paths = await listCsvFiles(options.dataDir);
  const labelled = paths.filter((p) => windows.has(p));
  const files: ScoredFile[] = [];
  let rows = 0;
  let scorerMs = 0;
  for (const path of labelled) {
    const series = await readNabSeries(options.dataDir, path);
    const started = performance.now();
    const scores = scoreSeries(series.timestamps, series.values, options.scorer);
    scorerMs += performance.now() - started;
    rows += scores.length;
    const fileWindows = windows.get(path)!;
    if (options.resultsDir)
      await writeResultFile(options.resultsDir, NAB_DETECTOR_NAME, series, scores, fileWindows);
    files.push({ path, timestamps: series.timestamps, scores, windows: fileWindows });
  }

  const published: { detector: string; scores: ProfileScore[] }[] = [];
  for (const detector of options.publishedDetectors ?? []) {
    const dir = options.publishedDir;
    if (!dir || !files.every((f) => existsSync(resultsFilePath(dir, detector, f.path)))) continue;
    const theirs = await Promise.all(
      files.map(async (f) => ({ ...f, scores: await readResultScores(dir, detector, f.path) })),
    );
    published.push({ detector, scores: scoreCorpus(profiles, theirs) });
  }

  return {
    detector: NAB_DETECTOR_NAME,
    files: files.length,
    rows,
    unlabelled: paths.filter((p) => !windows.has(p)),
    scorerMs,
    scores: scoreCorpus(profiles, files),
    published,
  };
}
