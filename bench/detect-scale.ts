/**
 * The cost per sample of `detect()` as the fleet grows: the same number of samples spread over
 * few or many components, on one core, each component's state kept between its samples as the
 * detector keeps it. The passes alternate between the sizes, so both meet the same machine:
 *
 *   bash scripts/toolchain.sh pnpm bench:scale [--samples 400000] [--components 100,10000] [--repeat 5]
 *
 * The report gives the median µs per sample at each size and the ratio of the largest to the
 * smallest. The whole pipeline's figure (changelog writes and transactions included) is
 * `pnpm bench --components N --latency-repeat 0`.
 */
import { parseArgs } from 'node:util';
import type { MetricSample } from '@healstream/contracts';
import { detect, resolveDetectorConfig, type ComponentDetectorState } from '@healstream/core';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '400000' },
    components: { type: 'string', default: '100,10000' },
    repeat: { type: 'string', default: '5' },
  },
});
const SAMPLES = Number(values.samples);
const SIZES = values.components.split(',').map(Number);
const REPEAT = Number(values.repeat);
const config = resolveDetectorConfig();
const T0 = Date.UTC(2026, 0, 1);

function samplesOver(components: number): MetricSample[] {
  return Array.from({ length: SAMPLES }, (_, i) => ({
    component: `c-${i % components}`,
    metric: i % 2 === 0 ? 'latency_p99' : 'error_rate',
    value: i % 2 === 0 ? 100 + (i % 13) : 0.01 + (i % 7) / 1000,
    // Every component's samples a steady interval apart, whatever the fleet's size.
    timestamp: T0 + i * (10_000 / components),
    labels: {},
  }));
}

/** µs per sample over one pass of `samples`, from fresh states. */
function pass(samples: MetricSample[]): number {
  const states = new Map<string, ComponentDetectorState>();
  const started = performance.now();
  for (const sample of samples) {
    const { state } = detect(states.get(sample.component), sample, config);
    states.set(sample.component, state);
  }
  return ((performance.now() - started) * 1000) / samples.length;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const inputs = SIZES.map(samplesOver);
for (const samples of inputs) pass(samples); // warm-up: let V8 optimise before timing
const costs: number[][] = SIZES.map(() => []);
for (let r = 0; r < REPEAT; r++) {
  // Alternating order, so no size always runs on a heap another one left.
  const order = r % 2 === 0 ? inputs.keys() : [...inputs.keys()].reverse();
  for (const k of order) costs[k]?.push(pass(inputs[k] as MetricSample[]));
}
const medians = costs.map(median);
const smallest = medians[0] ?? 0;
console.log(
  JSON.stringify(
    {
      samples: SAMPLES,
      repeat: REPEAT,
      microsecondsPerSample: Object.fromEntries(
        SIZES.map((n, k) => [String(n), Number((medians[k] ?? 0).toFixed(3))]),
      ),
      runs: Object.fromEntries(
        SIZES.map((n, k) => [String(n), (costs[k] ?? []).map((c) => Number(c.toFixed(3)))]),
      ),
      largestToSmallest: Number(((medians[medians.length - 1] ?? 0) / smallest).toFixed(3)),
    },
    null,
    2,
  ),
);
