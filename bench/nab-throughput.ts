/**
 * Samples per second through the anomaly scorer on one core, beside a trivial EWMA z-score loop
 * over the same samples so the figure reads as a ratio on any machine. Also prints the state
 * size after short and long runs, to show memory per series does not grow.
 *
 *   bash scripts/toolchain.sh pnpm bench:nab
 */
import { createScorer } from '@healstream/anomaly';

const SAMPLES = 1_000_000;
const RUNS = 7;
const FIVE_MINUTES = 300_000;
const T0 = Date.UTC(2026, 0, 1);

/** A daily cycle with noise and rare spikes, from a fixed-seed generator. */
function series(n: number): Float64Array {
  let x = 42;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const spike = rand() < 0.001 ? 50 : 0;
    out[i] = 100 + 20 * Math.sin((2 * Math.PI * i) / 288) + 5 * (rand() - 0.5) + spike;
  }
  return out;
}

function scorerPass(values: Float64Array): number {
  const scorer = createScorer();
  let checksum = 0;
  for (let i = 0; i < values.length; i++)
    checksum += scorer.update(values[i]!, T0 + i * FIVE_MINUTES).score;
  return checksum;
}

function ewmaPass(values: Float64Array): number {
  let mean = values[0]!;
  let variance = 0;
  let checksum = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean;
    checksum += Math.abs(d) / Math.sqrt(variance + 1e-12);
    mean += 0.01 * d;
    variance = 0.99 * (variance + 0.01 * d * d);
  }
  return checksum;
}

/** The same EWMA z-score behind the scorer's interface: one call and one result object per sample. */
function ewmaScorerPass(values: Float64Array): number {
  const state = { mean: values[0]!, variance: 0 };
  const update = (x: number) => {
    const d = x - state.mean;
    const z = Math.abs(d) / Math.sqrt(state.variance + 1e-12);
    const baseline = state.mean;
    state.mean += 0.01 * d;
    state.variance = 0.99 * (state.variance + 0.01 * d * d);
    return { score: Math.min(1, z / 10), baseline, warm: true };
  };
  let checksum = 0;
  for (let i = 0; i < values.length; i++) checksum += update(values[i]!).score;
  return checksum;
}

function medianRate(pass: (v: Float64Array) => number, values: Float64Array): number {
  const rates: number[] = [];
  let sink = 0;
  for (let r = 0; r < RUNS; r++) {
    const started = process.hrtime.bigint();
    sink += pass(values);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rates.push(values.length / seconds);
  }
  if (Number.isNaN(sink)) console.log('(checksum NaN)');
  rates.sort((a, b) => a - b);
  return rates[Math.floor(RUNS / 2)]!;
}

function stateBytes(samples: number): number {
  const scorer = createScorer();
  const values = series(samples);
  for (let i = 0; i < samples; i++) scorer.update(values[i]!, T0 + i * FIVE_MINUTES);
  return JSON.stringify(scorer.state()).length;
}

const values = series(SAMPLES);
const scorer = medianRate(scorerPass, values);
const ewma = medianRate(ewmaPass, values);
const ewmaScorer = medianRate(ewmaScorerPass, values);
const fmt = (rate: number) => `${(rate / 1e6).toFixed(2)}M samples/s`;
console.log(
  `scorer:         ${fmt(scorer)} (median of ${RUNS} runs of ${SAMPLES} samples, one series)`,
);
console.log(`EWMA baseline:  ${fmt(ewma)} (same samples)`);
console.log(
  `EWMA scorer:    ${fmt(ewmaScorer)} (the same behind update() → { score, baseline, warm })`,
);
console.log(
  `scorer / EWMA:  ${(scorer / ewma).toFixed(3)} (loop), ${(scorer / ewmaScorer).toFixed(3)} (scorer-shaped)`,
);
console.log(
  `state JSON:     ${stateBytes(1_000)} bytes after 1k samples, ${stateBytes(SAMPLES)} after ${SAMPLES / 1e6}M`,
);
