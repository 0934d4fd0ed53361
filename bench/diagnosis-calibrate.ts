/**
 * Fits the calibration tables of packages/core/src/diagnose/calibration.ts on the tune seeds of
 * the diagnosis bench: every published ANOMALY diagnosis of every scenario, the rules' raw match
 * strengths, each listed cause right when it is the fault's cause (on healthy data and single
 * outliers every cause is wrong). Isotonic regression (pool-adjacent-violators) over the cause
 * named first (the others are printed, not fitted), each pooled share smoothed as (right + 1) / (n + 2). Prints
 * the table to paste; the held-out seeds are never read here.
 *
 *   bash scripts/toolchain.sh pnpm bench:diagnosis-calibrate
 *   ... --split holdout     # the raw strengths' reliability there, for comparison (nothing fitted)
 */
import { parseArgs } from 'node:util';
import { resolveDetectorConfig } from '@healstream/core';
import { reliabilityOf, runScenario } from './diagnosis-run.js';
import { scenarios } from './diagnosis-scenarios.js';

interface Block {
  from: number;
  n: number;
  right: number;
}

/** No confidence beyond these: a finite bench shows neither a cause always right nor never. */
export const CEILING = 0.99;
export const FLOOR = 0.01;

/**
 * Pool-adjacent-violators on `share(block)`: blocks of ascending strength whose shares never
 * decrease, a block that would say more than the next pooled with it.
 */
function pool(blocks: Block[], share: (b: Block) => number): Block[] {
  const out: Block[] = [];
  for (const b of blocks) {
    out.push({ ...b });
    for (;;) {
      const last = out[out.length - 1] as Block;
      const before = out[out.length - 2];
      if (!before || share(before) <= share(last)) break;
      out.splice(-2, 2, {
        from: before.from,
        n: before.n + last.n,
        right: before.right + last.right,
      });
    }
  }
  return out;
}

/**
 * The monotone map from strength to confidence: pooled on the raw shares, each block smoothed as
 * (right + 1) / (n + 2) and pooled again where the smoothing broke the order (a small block at
 * the bottom), kept within FLOOR and CEILING, and neighbouring steps of the same confidence merged.
 */
export function isotonic(points: readonly { strength: number; n: number; right: number }[]) {
  const sorted = [...points]
    .sort((a, b) => a.strength - b.strength)
    .map((p) => ({ from: p.strength, n: p.n, right: p.right }));
  const smoothed = (b: Block) => (b.right + 1) / (b.n + 2);
  const blocks = pool(
    pool(sorted, (b) => b.right / b.n),
    smoothed,
  );
  const steps: { from: number; confidence: number; n: number; right: number }[] = [];
  for (const b of blocks) {
    const confidence = Math.round(Math.max(FLOOR, Math.min(CEILING, smoothed(b))) * 100) / 100;
    const last = steps[steps.length - 1];
    if (last && last.confidence === confidence) {
      last.n += b.n;
      last.right += b.right;
    } else steps.push({ from: b.from, confidence, n: b.n, right: b.right });
  }
  return steps;
}

const { values } = parseArgs({ options: { split: { type: 'string', default: 'tune' } } });
const split = values.split === 'holdout' ? 'holdout' : 'tune';
const detector = resolveDetectorConfig();
const results = scenarios(split).map((sc) =>
  runScenario(sc, { policies: [], detector, flush: 'scrape', provisional: 'hold', raw: true }),
);
const { rows, ece } = reliabilityOf(results);
for (const group of ['first', 'other']) {
  const points = rows
    .filter((r) => r.group === group)
    .map((r) => ({ strength: r.confidence, n: r.n, right: r.right }));
  console.log(`\n${group}: strength → right (${split} seeds, raw)`);
  for (const p of points) console.log(`  ${p.strength.toFixed(2)}  ${p.right} of ${p.n}`);
}
console.log(
  `\nexpected calibration error of the raw strengths: cause named first ${ece.first.toFixed(3)}, other causes ${ece.other.toFixed(3)}, all ${ece.all.toFixed(3)}`,
);
if (split === 'holdout') process.exit(0);
// Only the cause named first is mapped (calibration.ts says why the others are not).
const fit = isotonic(
  rows
    .filter((r) => r.group === 'first')
    .map((r) => ({ strength: r.confidence, n: r.n, right: r.right })),
);
console.log(
  `\nfitted: ${fit.map((b) => `≥${b.from} ${b.confidence} (${b.right}/${b.n})`).join(', ')}`,
);
console.log(`CALIBRATION = [${fit.map((b) => `[${b.from}, ${b.confidence}]`).join(', ')}]`);
