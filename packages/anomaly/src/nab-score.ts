import {
  bestThreshold,
  scoreAtThreshold,
  scoresByThreshold,
  sweepFile,
  type CostMatrix,
  type SweepRow,
  type WindowLimits,
} from './nab-sweep.js';

/** One file's detector output, with its labelled windows. `path` is `<group>/<name>.csv`. */
export interface ScoredFile {
  readonly path: string;
  readonly timestamps: readonly number[];
  readonly scores: readonly number[];
  readonly windows: readonly WindowLimits[];
}

export interface GroupScore {
  readonly group: string;
  readonly windows: number;
  /** Raw score of this group's files at the corpus-wide threshold. */
  readonly raw: number;
  /** 0 = null detector, 100 = perfect; null when the group has no windows to find. */
  readonly normalised: number | null;
}

export interface ProfileScore {
  readonly profile: string;
  readonly threshold: number;
  readonly raw: number;
  readonly nullRaw: number;
  readonly perfectRaw: number;
  /** 0 = null detector, 100 = perfect. */
  readonly normalised: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly groups: readonly GroupScore[];
}

export function groupOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function sweepCorpus(
  files: readonly ScoredFile[],
  cost: CostMatrix,
  constant?: number,
): SweepRow[][] {
  let windowId = 0;
  return files.map((f) => {
    const scores = constant === undefined ? f.scores : f.timestamps.map(() => constant);
    const rows = sweepFile(f.timestamps, scores, f.windows, cost, windowId);
    windowId += f.windows.length;
    return rows;
  });
}

function normalise(raw: number, nullRaw: number, perfectRaw: number): number {
  return (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
}

/**
 * NAB's corpus score for one profile: the threshold that maximises the summed raw score over
 * every file, normalised so that the null detector (a constant score, which at its own best
 * threshold detects nothing) scores 0 and a detector hitting the start of every window scores 100.
 */
export function scoreProfile(
  profile: string,
  cost: CostMatrix,
  files: readonly ScoredFile[],
): ProfileScore {
  const perFile = sweepCorpus(files, cost);
  const best = bestThreshold(scoresByThreshold(perFile.flat(), cost));
  const nullPerFile = sweepCorpus(files, cost, 0.5);
  const nullBest = bestThreshold(scoresByThreshold(nullPerFile.flat(), cost));
  const windowCount = (fs: readonly ScoredFile[]) => fs.reduce((n, f) => n + f.windows.length, 0);
  const perfectRaw = windowCount(files) * cost.tpWeight;

  const groups = [...new Set(files.map((f) => groupOf(f.path)))].sort().map((group): GroupScore => {
    let raw = 0;
    let nullRaw = 0;
    const members = files.filter((f) => groupOf(f.path) === group);
    files.forEach((f, i) => {
      if (groupOf(f.path) !== group) return;
      raw += scoreAtThreshold(perFile[i]!, cost, best.threshold);
      nullRaw += scoreAtThreshold(nullPerFile[i]!, cost, nullBest.threshold);
    });
    const windows = windowCount(members);
    const normalised = windows === 0 ? null : normalise(raw, nullRaw, windows * cost.tpWeight);
    return { group, windows, raw, normalised };
  });

  return {
    profile,
    threshold: best.threshold,
    raw: best.score,
    nullRaw: nullBest.score,
    perfectRaw,
    normalised: normalise(best.score, nullBest.score, perfectRaw),
    tp: best.tp,
    fp: best.fp,
    fn: best.fn,
    groups,
  };
}

/** Scores every profile (e.g. NAB's standard, reward_low_FP_rate, reward_low_FN_rate). */
export function scoreCorpus(
  profiles: Readonly<Record<string, CostMatrix>>,
  files: readonly ScoredFile[],
): ProfileScore[] {
  return Object.entries(profiles).map(([name, cost]) => scoreProfile(name, cost, files));
}
