/** Exponentially weighted mean and variance: constant memory, one pass, no look-ahead. */
export interface EwStats {
  mean: number;
  variance: number;
}

/** Folds `x` in with weight `alpha` (0 < alpha ≤ 1); the West/Finch incremental form. */
export function ewUpdate(s: EwStats, x: number, alpha: number): void {
  const d = x - s.mean;
  s.mean += alpha * d;
  s.variance = (1 - alpha) * (s.variance + alpha * d * d);
}

/** |x − mean| in standard deviations, with `floor` keeping a flat series from dividing by 0. */
export function ewDeviation(s: EwStats, x: number, floor: number): number {
  return Math.abs(x - s.mean) / Math.sqrt(s.variance + floor * floor);
}
