import { existsSync } from 'node:fs';
import { listCsvFiles, readNabSeries, readProfiles, readWindows } from './nab-files.js';
import { NAB_PROFILES } from './nab-published.js';
import { scoreSeries } from './nab-run.js';
import { groupOf, type ScoredFile } from './nab-score.js';
import {
  bestThreshold,
  scoreAtThreshold,
  scoresByThreshold,
  sweepFile,
  type CostMatrix,
  type SweepRow,
} from './nab-sweep.js';

/** One held-out group of a leave-one-group-out run. */
export interface HeldOutGroup {
  readonly group: string;
  readonly windows: number;
  /** The threshold NAB's optimisation picks on the other groups alone. */
  readonly threshold: number;
  /** This group's raw score at that threshold. */
  readonly raw: number;
  /** 0 = null detector, 100 = perfect; null for a group with no windows (its FP count tells). */
  readonly normalised: number | null;
  /** Detections outside any window at that threshold. */
  readonly falsePositives: number;
}

export interface LeaveOneGroupOut {
  readonly profile: string;
  readonly groups: readonly HeldOutGroup[];
  /** Mean of the held-out groups' normalised scores (groups with windows). */
  readonly mean: number;
  /** The held-out groups scored together, each at its own fold's threshold, normalised once. */
  readonly pooled: number;
}

function sweep(files: readonly ScoredFile[], cost: CostMatrix, constant?: number): SweepRow[][] {
  let windowId = 0;
  return files.map((f) => {
    const scores = constant === undefined ? f.scores : f.timestamps.map(() => constant);
    const rows = sweepFile(f.timestamps, scores, f.windows, cost, windowId);
    windowId += f.windows.length;
    return rows;
  });
}

const falsePositives = (rows: readonly SweepRow[], threshold: number) =>
  rows.filter((r) => r.window === -1 && r.anomalyScore >= threshold).length;

/**
 * NAB scored as a test of generalisation: for each group, the threshold (the one thing NAB
 * fits to a corpus) is chosen on the other groups, and the held-out group is scored at it with
 * NAB's arithmetic and normalised against the null detector (whose threshold is chosen on the
 * other groups too) and a perfect one. The scorer itself is the same in every fold.
 */
export function leaveOneGroupOut(
  profile: string,
  cost: CostMatrix,
  files: readonly ScoredFile[],
): LeaveOneGroupOut {
  const rows = sweep(files, cost);
  const nullRows = sweep(files, cost, 0.5);
  const groupNames = [...new Set(files.map((f) => groupOf(f.path)))].sort();
  const groups = groupNames.map((group): HeldOutGroup => {
    const inGroup = files.map((f) => groupOf(f.path) === group);
    const train = rows.filter((_, i) => !inGroup[i]).flat();
    const nullTrain = nullRows.filter((_, i) => !inGroup[i]).flat();
    const threshold = bestThreshold(scoresByThreshold(train, cost)).threshold;
    const nullThreshold = bestThreshold(scoresByThreshold(nullTrain, cost)).threshold;
    let raw = 0;
    let nullRaw = 0;
    let fp = 0;
    let windows = 0;
    files.forEach((f, i) => {
      if (!inGroup[i]) return;
      raw += scoreAtThreshold(rows[i]!, cost, threshold);
      nullRaw += scoreAtThreshold(nullRows[i]!, cost, nullThreshold);
      fp += falsePositives(rows[i]!, threshold);
      windows += f.windows.length;
    });
    const perfect = windows * cost.tpWeight;
    return {
      group,
      windows,
      threshold,
      raw,
      normalised: windows === 0 ? null : (100 * (raw - nullRaw)) / (perfect - nullRaw),
      falsePositives: fp,
    };
  });
  const scored = groups.filter((g) => g.normalised !== null);
  const mean = scored.reduce((n, g) => n + (g.normalised ?? 0), 0) / Math.max(1, scored.length);
  // Pooled: every held-out group at its own fold's threshold, one normalisation over all.
  let raw = 0;
  let nullRaw = 0;
  let perfect = 0;
  groups.forEach((g) => {
    raw += g.raw;
    perfect += g.windows * cost.tpWeight;
  });
  groupNames.forEach((group) => {
    const inGroup = files.map((f) => groupOf(f.path) === group);
    const nullTrain = nullRows.filter((_, i) => !inGroup[i]).flat();
    const nullThreshold = bestThreshold(scoresByThreshold(nullTrain, cost)).threshold;
    files.forEach((_, i) => {
      if (inGroup[i]) nullRaw += scoreAtThreshold(nullRows[i]!, cost, nullThreshold);
    });
  });
  return {
    profile,
    groups,
    mean,
    pooled: (100 * (raw - nullRaw)) / (perfect - nullRaw),
  };
}

/** Every labelled file under `dataDir` through a fresh scorer, with NAB's profiles (or the files'). */
export async function scoreNabFiles(options: {
  dataDir: string;
  windowsFile: string;
  profilesFile?: string;
}): Promise<{ files: ScoredFile[]; profiles: Record<string, CostMatrix> }> {
  const profiles: Record<string, CostMatrix> =
    options.profilesFile && existsSync(options.profilesFile)
      ? await readProfiles(options.profilesFile)
      : { ...NAB_PROFILES };
  const windows = await readWindows(options.windowsFile);
  const files: ScoredFile[] = [];
  for (const path of (await listCsvFiles(options.dataDir)).filter((p) => windows.has(p))) {
    const series = await readNabSeries(options.dataDir, path);
    files.push({
      path,
      timestamps: series.timestamps,
      scores: scoreSeries(series.timestamps, series.values),
      windows: windows.get(path) ?? [],
    });
  }
  return { files, profiles };
}
