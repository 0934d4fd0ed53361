/**
 * Samples per second through the detector's step on one core, as the detector calls it: one
 * state per component, mutable in memory, each sample changing its component's state in place
 * (detectInPlace). Beside it, the same samples through the pure `detect()`, which copies the
 * state on every sample (what the detector did before it kept its states mutable), in the
 * same run:
 *
 *   bash scripts/toolchain.sh pnpm bench:detect [--samples 400000] [--components 200] [--repeat 5]
 */
import { parseArgs } from 'node:util';
import type { MetricSample } from '@healstream/contracts';
import {
  detect,
  detectInPlace,
  emptyDetectorState,
  resolveDetectorConfig,
  type ComponentDetectorState,
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

function pass(inPlace: boolean): number {
  const states = new Map<string, ComponentDetectorState>();
  const started = performance.now();
  for (const sample of samples) {
    if (inPlace) {
      let state = states.get(sample.component);
      if (!state) states.set(sample.component, (state = emptyDetectorState(sample.component)));
      detectInPlace(state, sample, config);
    } else states.set(sample.component, detect(states.get(sample.component), sample, config).state);
  }
  return SAMPLES / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const inPlace: number[] = [];
const copied: number[] = [];
pass(true); // warm-up: let V8 optimise both paths before timing
pass(false);
for (let r = 0; r < REPEAT; r++) {
  // Alternating order, so neither path always runs on a heap the other left.
  if (r % 2 === 0) inPlace.push(pass(true));
  copied.push(pass(false));
  if (r % 2 === 1) inPlace.push(pass(true));
}
console.log(
  JSON.stringify(
    {
      samples: SAMPLES,
      components: COMPONENTS,
      repeat: REPEAT,
      detectPerSecond: Math.round(median(inPlace)),
      detectPerSecondCopyingState: Math.round(median(copied)),
      ratio: Number((median(inPlace) / median(copied)).toFixed(3)),
    },
    null,
    2,
  ),
);
