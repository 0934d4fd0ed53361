/**
 * Samples per second through `detect()` on one core, as the detector calls it: one state per
 * component, each sample stepping its component's state (scorer restore, update, hand-over).
 * Beside it, the same samples with the scorer's state copied out instead of released (what
 * detect() did before `release`), in the same run:
 *
 *   bash scripts/toolchain.sh pnpm bench:detect [--samples 400000] [--components 200] [--repeat 5]
 */
import { parseArgs } from 'node:util';
import { createScorer, type ScorerOptions, type ScorerState } from '@healstream/anomaly';
import type { MetricSample } from '@healstream/contracts';
import {
  detect,
  resolveDetectorConfig,
  type ComponentDetectorState,
  type ScorerFactory,
} from '@healstream/core';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '400000' },
    components: { type: 'string', default: '200' },
    repeat: { type: 'string', default: '5' },
  },
});
const SAMPLES = Number(values.samples);
const COMPONENTS = Number(values.components);
const REPEAT = Number(values.repeat);
const config = resolveDetectorConfig();
const T0 = Date.UTC(2026, 0, 1);

const samples: MetricSample[] = Array.from({ length: SAMPLES }, (_, i) => ({
  component: `c-${i % COMPONENTS}`,
  metric: i % 2 === 0 ? 'latency_p99' : 'error_rate',
  value: i % 2 === 0 ? 100 + (i % 13) : 0.01 + (i % 7) / 1000,
  timestamp: T0 + i,
  labels: {},
}));

/** The scorer without `release`: detect() falls back to a copy of the state. */
const copying: ScorerFactory = (options?: ScorerOptions, state?: ScorerState) => {
  const scorer = createScorer(options, state);
  return { update: scorer.update, state: scorer.state };
};

function pass(factory: ScorerFactory): number {
  const states = new Map<string, ComponentDetectorState>();
  const started = performance.now();
  for (const sample of samples) {
    const { state } = detect(states.get(sample.component), sample, config, factory);
    states.set(sample.component, state);
  }
  return SAMPLES / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const released: number[] = [];
const copied: number[] = [];
pass(createScorer); // warm-up: let V8 optimise both paths before timing
pass(copying);
for (let r = 0; r < REPEAT; r++) {
  // Alternating order, so neither path always runs on a heap the other left.
  if (r % 2 === 0) released.push(pass(createScorer));
  copied.push(pass(copying));
  if (r % 2 === 1) released.push(pass(createScorer));
}
console.log(
  JSON.stringify(
    {
      samples: SAMPLES,
      components: COMPONENTS,
      repeat: REPEAT,
      detectPerSecond: Math.round(median(released)),
      detectPerSecondCopyingState: Math.round(median(copied)),
      ratio: Number((median(released) / median(copied)).toFixed(3)),
    },
    null,
    2,
  ),
);
