/**
 * From a rule's match strength to the confidence a diagnosis says of the cause it names first: the
 * share of the time a cause named first with that strength was the fault's cause. The rules add up evidence (0.55, + latency
 * elevated 0.25, …); that sum orders causes well but is no probability: on the bench's tune
 * seeds a cause named first at 0.55–0.85 was right 96–99% of the time. The table maps a
 * strength to that share, fitted on the tune seeds of `pnpm bench:diagnosis` by isotonic
 * regression (pool-adjacent-violators, so a stronger match never says less) over every
 * published diagnosis of every scenario, a cause named on healthy data or a single outlier
 * counted as wrong, each share smoothed as (right + 1) / (named + 2) and kept within 0.01–0.99
 * (a finite bench shows neither a cause always right nor never). Refit with
 * `pnpm bench:diagnosis-calibrate` (bench/diagnosis-calibrate.ts); the held-out seeds are
 * reported against the table, never fitted on (docs/diagnosis.md, "Calibrated confidences").
 */

/** Steps of a monotone map: `[from strength, confidence]`, ascending; below the first, its value. */
export type CalibrationSteps = readonly (readonly [number, number])[];

/**
 * The cause named first (its strength 0.5 or more, so `unknown` is not listed above it), fitted
 * on the tune seeds (bench/diagnosis-calibrate.ts): at 0.5 right 52 times in 56, at 0.55–0.8
 * 1803 in 1864, from 0.85 4104 in 4104.
 *
 * The causes listed below it are not mapped: they keep their strength (at most the first's
 * confidence). With one cause per fault on the bench they are right 0 times in 1843, yet a strong
 * second shape is often part of the fault — the memory a bad deploy leaks — and the decision
 * engine takes the remedies of every cause said with 0.55 or more (remedies.ts); said with 0.01
 * they would lose the restart of a deploy that leaks (docs/diagnosis.md).
 */
export const CALIBRATION: CalibrationSteps = [
  [0.5, 0.91],
  [0.55, 0.97],
  [0.85, 0.99],
];

/** The confidence of a strength on a step table: the step at or below it (the first below all). */
export function stepValue(steps: CalibrationSteps, strength: number): number {
  let value = steps[0]?.[1] ?? strength;
  for (const [from, confidence] of steps) if (strength >= from - 1e-9) value = confidence;
  return value;
}
