/**
 * What every case of the client bench shares: the record, the per-record transform, the fetch
 * settings, and how a case reports. Both clients get the same settings, so the figures differ by
 * client only.
 */

/** A case's wall time from its first record received to its last record done. */
export interface CaseResult {
  records: number;
  seconds: number;
}

/** Where a case runs: the broker, the preloaded input topic and how many records it holds. */
export interface CaseTarget {
  brokers: string[];
  input: string;
  records: number;
  /** A fresh topic (same partition count) for the transactional cases' outputs. */
  output: string;
  /** A fresh name for the case's consumer group (and transactional ids). */
  group: string;
}

/** Fetch settings both clients use: kafkajs' defaults for sizes, the runtime's wait. */
export const FETCH = {
  maxWaitMs: 100,
  maxBytes: 10 * 1024 * 1024,
  maxBytesPerPartition: 1024 * 1024,
} as const;

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1'];

/** The i-th preloaded record: a metric sample as JSON, about 120 bytes. */
export function sampleRecord(i: number, at: number): { key: string; value: Buffer } {
  const component = `bench-${String(i % 200).padStart(3, '0')}`;
  const sample = {
    component,
    metric: i % 2 === 0 ? 'latency_p99_ms' : 'error_rate',
    value: i % 2 === 0 ? 100 + (i % 13) : 0.01,
    timestamp: at,
    labels: { region: REGIONS[i % REGIONS.length] },
  };
  return { key: component, value: Buffer.from(JSON.stringify(sample)) };
}

const LIMITS: Record<string, number> = { latency_p99_ms: 500, error_rate: 0.05 };

/**
 * The per-record work of a stage, small on purpose so the client's cost shows: decode the
 * sample, judge it against its limit, encode the verdict. Throws on a record that is not a
 * sample, as a stage's decoder would.
 */
export function transform(value: Buffer | null | undefined): Buffer {
  if (!value) throw new Error('transform: a record without a value');
  const sample = JSON.parse(value.toString('utf8')) as {
    component?: unknown;
    metric?: unknown;
    value?: unknown;
    timestamp?: unknown;
  };
  if (typeof sample.metric !== 'string' || typeof sample.value !== 'number')
    throw new Error(`transform: not a metric sample: ${value.toString('utf8').slice(0, 80)}`);
  const limit = LIMITS[sample.metric] ?? Number.POSITIVE_INFINITY;
  return Buffer.from(
    JSON.stringify({
      component: sample.component,
      metric: sample.metric,
      timestamp: sample.timestamp,
      anomalous: sample.value > limit,
      headroom: limit - sample.value,
    }),
  );
}

/** `finished` resolves once `tick()` has counted every record; it stamps the first and last. */
export function stopwatch(records: number) {
  let count = 0;
  let first = 0;
  let last = 0;
  let resolve: () => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const finished = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    tick(n: number) {
      const now = performance.now();
      if (first === 0) first = now;
      const before = count;
      count += n;
      if (before < records && count >= records) {
        last = now;
        resolve();
      }
    },
    /** Marks the first record seen without counting it done (transactional cases). */
    started() {
      if (first === 0) first = performance.now();
    },
    /** Ends the case with an error (a failed transaction, a destroyed stream). */
    fail(error: unknown) {
      reject(error);
    },
    finished,
    result(): CaseResult {
      return { records: count, seconds: (last - first) / 1000 };
    },
  };
}
