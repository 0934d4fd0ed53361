/**
 * NAB's scoring arithmetic for one threshold sweep (Lavin & Ahmad 2015; numenta/NAB
 * `nab/sweeper.py`). Every row gets the score it would earn if it were a detection; sorting the
 * rows by anomaly score then gives the corpus score at every possible threshold in one pass.
 */

export interface CostMatrix {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

/** A window as [first, last] timestamps (ms), both inclusive, as in combined_windows.json. */
export type WindowLimits = readonly [number, number];

/** Marks rows that are not inside any window. */
export const OUTSIDE = -1;
/** Marks rows in the probationary period, which are never scored. */
export const PROBATION = -2;

export interface SweepRow {
  readonly anomalyScore: number;
  /** What this row earns if it is a detection (a TP weight inside a window, an FP cost outside). */
  readonly sweepScore: number;
  /** A window id unique across the corpus, OUTSIDE, or PROBATION. */
  readonly window: number;
}

export interface ThresholdScore {
  readonly threshold: number;
  readonly score: number;
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

export const PROBATIONARY_FRACTION = 0.15;

/** Rows excluded from scoring at the start of a file: 15 %, at most 750 rows. */
export function probationaryLength(rows: number, fraction = PROBATIONARY_FRACTION): number {
  return Math.min(Math.floor(fraction * rows), fraction * 5000);
}

/** 2·sigmoid(−5x) − 1: +0.987 at the left edge of a window (x = −1), 0 at its right edge, −1 far after it. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/**
 * Per-row sweep scores for one file. Windows must be sorted and start and end on timestamps
 * present in the file (NAB's windows do). `firstWindowId` keeps window ids unique in a corpus.
 */
export function sweepFile(
  timestamps: readonly number[],
  anomalyScores: readonly number[],
  windows: readonly WindowLimits[],
  cost: CostMatrix,
  firstWindowId = 0,
): SweepRow[] {
  if (timestamps.length !== anomalyScores.length)
    throw new Error('timestamps and scores differ in length');
  const probation = probationaryLength(timestamps.length);
  const rows: SweepRow[] = [];
  let next = 0;
  let current = -1;
  let currentRight = -1;
  let currentWidth = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i]!;
    const pending = windows[next];
    if (current < 0 && pending && t === pending[0]) {
      current = firstWindowId + next;
      currentRight = timestamps.indexOf(pending[1], i);
      currentWidth = currentRight - i + 1;
      next++;
    }
    let sweepScore: number;
    if (current >= 0) {
      sweepScore = (scaledSigmoid(-(currentRight - i + 1) / currentWidth) * cost.tpWeight) / MAX_TP;
    } else if (prevRight < 0) {
      sweepScore = -cost.fpWeight;
    } else {
      sweepScore = scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1)) * cost.fpWeight;
    }
    rows.push({
      anomalyScore: anomalyScores[i]!,
      sweepScore,
      window: i >= probation ? (current >= 0 ? current : OUTSIDE) : PROBATION,
    });
    if (current >= 0 && i === currentRight) {
      prevRight = i;
      prevWidth = currentWidth;
      current = -1;
    }
  }
  return rows;
}

/**
 * The score at every distinct threshold, highest threshold first; the first entry (threshold
 * 1.1) detects nothing. A row is a detection when its anomaly score is ≥ the threshold. Each
 * window counts its best (earliest) detection once, or −fnWeight when it has none.
 */
export function scoresByThreshold(rows: readonly SweepRow[], cost: CostMatrix): ThresholdScore[] {
  const scorable = rows
    .filter((r) => r.window !== PROBATION)
    .sort((a, b) => b.anomalyScore - a.anomalyScore);
  const windowBest = new Map<number, number>();
  for (const r of scorable) if (r.window !== OUTSIDE) windowBest.set(r.window, -cost.fnWeight);
  let windowTotal = -cost.fnWeight * windowBest.size;
  let fpTotal = 0;
  let tp = 0;
  let fp = 0;
  let fn = scorable.filter((r) => r.window !== OUTSIDE).length;
  let tn = scorable.length - fn;
  const out: ThresholdScore[] = [];
  let threshold = 1.1;
  for (const r of scorable) {
    if (r.anomalyScore !== threshold) {
      out.push({ threshold, score: fpTotal + windowTotal, tp, fp, tn, fn });
      threshold = r.anomalyScore;
    }
    if (r.window === OUTSIDE) {
      fp++;
      tn--;
      fpTotal += r.sweepScore;
    } else {
      tp++;
      fn--;
      const best = windowBest.get(r.window)!;
      if (r.sweepScore > best) {
        windowBest.set(r.window, r.sweepScore);
        windowTotal += r.sweepScore - best;
      }
    }
  }
  out.push({ threshold, score: fpTotal + windowTotal, tp, fp, tn, fn });
  return out;
}

/** The threshold with the highest score; ties go to the higher threshold, as NAB's stable sort does. */
export function bestThreshold(scores: readonly ThresholdScore[]): ThresholdScore {
  let best = scores[0];
  if (!best) throw new Error('no thresholds to choose from');
  for (const s of scores) if (s.score > best.score) best = s;
  return best;
}

/** The score of `rows` when every row scoring ≥ threshold is a detection. */
export function scoreAtThreshold(
  rows: readonly SweepRow[],
  cost: CostMatrix,
  threshold: number,
): number {
  const windowBest = new Map<number, number>();
  let fpTotal = 0;
  for (const r of rows) {
    if (r.window === PROBATION) continue;
    const best = windowBest.get(r.window);
    if (r.window !== OUTSIDE && best === undefined) windowBest.set(r.window, -cost.fnWeight);
    if (r.anomalyScore < threshold) continue;
    if (r.window === OUTSIDE) fpTotal += r.sweepScore;
    else windowBest.set(r.window, Math.max(windowBest.get(r.window)!, r.sweepScore));
  }
  let total = fpTotal;
  for (const v of windowBest.values()) total += v;
  return total;
}
