/**
 * Exponentially weighted mean and variance: constant memory, one pass, no look-ahead. Kept as
 * two numbers of an array of numbers, the mean at `at` and the variance after it.
 */

/** Folds `x` in with weight `alpha` (0 < alpha ≤ 1); the West/Finch incremental form. */
export function ewUpdate(b: number[], at: number, x: number, alpha: number): void {
  const d = x - b[at]!;
  b[at] = b[at]! + alpha * d;
  b[at + 1] = (1 - alpha) * (b[at + 1]! + alpha * d * d);
}

/** |x − mean| in standard deviations, with `floor` keeping a flat series from dividing by 0. */
export function ewDeviation(b: number[], at: number, x: number, floor: number): number {
  return Math.abs(x - b[at]!) / Math.sqrt(b[at + 1]! + floor * floor);
}
