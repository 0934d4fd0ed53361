/**
 * The cost per sample of `detect()` as the fleet grows: the same number of samples spread over
 * few or many components, on one core, each component's state kept between its samples as the
 * detector keeps it (mutable in memory, changed in place: detectInPlace). Before any timing
 * every component is fed `warm` samples (past the scorer's warm-up of 150), so each size is
 * timed in the steady state of a running detector, not the warm-up of a fresh fleet (400,000
 * samples over 10,000 components would be 40 each: all warm-up). Every pass continues the
 * series where the last one stopped. The passes alternate between the sizes, so both meet the
 * same machine:
 *
 *   bash scripts/toolchain.sh pnpm bench:scale [--samples 400000] [--components 100,10000]
 *     [--repeat 5] [--warm 200]
 *
 * The report gives the median µs per sample at each size and the ratio of the largest to the
 * smallest. `--store changelog` times the detector service's step instead (`detectRecord` on
 * the changelog store, `PartitionState`, the fleet spread over `--partitions` partitions):
 * each partition's first edit of a component in a transaction copies its committed state, and
 * every `--transaction` records of a partition end a transaction, encoding each component it
 * touched for the changelog (JSON) into a Buffer as the commit's produce would. No broker: the
 * produce and the commit's round trips are the whole pipeline's, `pnpm bench --components N
 * --latency-repeat 0`.
 */
import { parseArgs } from 'node:util';
import type { MetricSample } from '@healstream/contracts';
import {
  detectInPlace,
  detectRecord,
  emptyDetectorState,
  resolveDetectorConfig,
  type ComponentDetectorState,
  type DetectorEntry,
} from '@healstream/core';
import { PartitionState } from '@healstream/runtime';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '400000' },
    components: { type: 'string', default: '100,10000' },
    repeat: { type: 'string', default: '5' },
    warm: { type: 'string', default: '200' },
    store: { type: 'string', default: 'memory' },
    partitions: { type: 'string', default: '12' },
    transaction: { type: 'string', default: '5000' },
  },
});
if (values.store !== 'memory' && values.store !== 'changelog') {
  throw new Error(`--store ${values.store}: expected memory or changelog`);
}
const CHANGELOG = values.store === 'changelog';
const PARTITIONS = Number(values.partitions);
// The detector service's transaction size (services/detector/src/detector.ts).
const TRANSACTION = Number(values.transaction);
const SAMPLES = Number(values.samples);
const SIZES = values.components.split(',').map(Number);
const REPEAT = Number(values.repeat);
const WARM = Number(values.warm);
const config = resolveDetectorConfig();
const T0 = Date.UTC(2026, 0, 1);

/** The samples `from` to `from + count` of a fleet of `components`, round-robin. */
function samplesOver(components: number, from: number, count: number): MetricSample[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      component: `c-${i % components}`,
      metric: i % 2 === 0 ? 'latency_p99' : 'error_rate',
      value: i % 2 === 0 ? 100 + (i % 13) : 0.01 + (i % 7) / 1000,
      // Every component's samples a steady interval apart, whatever the fleet's size.
      timestamp: T0 + i * (10_000 / components),
      labels: {},
    };
  });
}

/** One partition of a fleet in the service's store: records since its transaction began. */
interface Partition {
  store: PartitionState<DetectorEntry>;
  records: number;
}

/** One fleet: its components' states and how far its series have got. */
interface Fleet {
  components: number;
  states: Map<string, ComponentDetectorState>;
  partitions: Partition[];
  next: number;
  /** Changelog bytes encoded, so the work cannot be optimised away. */
  bytes: number;
}

function newFleet(components: number): Fleet {
  const partitions = Array.from({ length: PARTITIONS }, (_, p) => ({
    store: new PartitionState<DetectorEntry>(p, 'detector.state'),
    records: 0,
  }));
  return { components, states: new Map(), partitions, next: 0, bytes: 0 };
}

/** A transaction's end: every component it touched encoded for the changelog, then committed. */
function commit(fleet: Fleet, partition: Partition): void {
  partition.store.beforeCommit((record) => {
    if ('raw' in record) fleet.bytes += record.raw?.length ?? 0;
  });
  partition.store.committed();
  partition.records = 0;
}

function feed(fleet: Fleet, samples: MetricSample[]): void {
  if (CHANGELOG) {
    for (let k = 0; k < samples.length; k++) {
      const sample = samples[k] as MetricSample;
      // c-<i>: component i lives in partition i mod PARTITIONS (any fixed spread would do).
      const partition = fleet.partitions[
        Number(sample.component.slice(2)) % PARTITIONS
      ] as Partition;
      detectRecord(partition.store, sample, sample.timestamp, 0, config);
      if (++partition.records >= TRANSACTION) commit(fleet, partition);
    }
    return;
  }
  for (const sample of samples) {
    let state = fleet.states.get(sample.component);
    if (!state) fleet.states.set(sample.component, (state = emptyDetectorState(sample.component)));
    detectInPlace(state, sample, config);
  }
}

/** Feeds the fleet's next `count` samples (made before the clock starts); µs per sample. */
function pass(fleet: Fleet, count: number): number {
  const samples = samplesOver(fleet.components, fleet.next, count);
  fleet.next += count;
  const started = performance.now();
  feed(fleet, samples);
  return ((performance.now() - started) * 1000) / count;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fleets: Fleet[] = SIZES.map(newFleet);
for (const fleet of fleets) {
  // Every component `WARM` samples in (each has one metric: the fleet sizes are even), in
  // slices whose samples are garbage once fed.
  const total = WARM * fleet.components;
  for (let done = 0; done < total; done += SAMPLES) pass(fleet, Math.min(SAMPLES, total - done));
}
for (const fleet of fleets) pass(fleet, SAMPLES); // let V8 optimise before timing
const costs: number[][] = SIZES.map(() => []);
for (let r = 0; r < REPEAT; r++) {
  // Alternating order, so no size always runs on a heap another one left.
  const order = r % 2 === 0 ? fleets.keys() : [...fleets.keys()].reverse();
  for (const k of order) costs[k]?.push(pass(fleets[k] as Fleet, SAMPLES));
}
const medians = costs.map(median);
const smallest = medians[0] ?? 0;
console.log(
  JSON.stringify(
    {
      store: CHANGELOG
        ? { changelog: true, partitions: PARTITIONS, recordsPerTransaction: TRANSACTION }
        : { changelog: false },
      samples: SAMPLES,
      repeat: REPEAT,
      warmSamplesPerComponent: WARM,
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
