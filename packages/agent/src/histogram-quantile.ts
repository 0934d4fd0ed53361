/** One cumulative bucket of a classic Prometheus histogram: observations ≤ `le`. */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * The φ-quantile of classic histogram buckets, as PromQL's `histogram_quantile` computes it
 * (promql/quantile.go, bucketQuantile): buckets sorted by bound, equal bounds merged, counts
 * forced monotonic; linear interpolation inside the bucket the rank falls into, from 0 (or the
 * previous bound) to its bound; a rank in the +Inf bucket answers the highest finite bound; a
 * lowest bound ≤ 0 is returned as is. NaN when there is no +Inf bucket, fewer than two buckets
 * or no observation, as in PromQL; q < 0 is -Inf and q > 1 is +Inf.
 *
 * Feed it the increase of each bucket counter over an interval (what `rate()` gives, up to a
 * factor that cancels out), not the counters themselves.
 */
export function histogramQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  if (input.length === 0) return Number.NaN;
  const sorted = [...input].sort((a, b) => a.le - b.le);
  if ((sorted[sorted.length - 1] as Bucket).le !== Number.POSITIVE_INFINITY) return Number.NaN;
  const buckets = monotonic(withoutPrecisionNoise(coalesce(sorted)));
  if (buckets.length < 2) return Number.NaN;
  const observations = (buckets[buckets.length - 1] as Bucket).count;
  if (observations === 0) return Number.NaN;
  let rank = q * observations;
  // The first bucket (the +Inf one excluded) whose cumulative count reaches the rank.
  let b = buckets.findIndex((bucket, i) => i < buckets.length - 1 && bucket.count >= rank);
  if (b === -1) b = buckets.length - 1;
  if (b === buckets.length - 1) return (buckets[buckets.length - 2] as Bucket).le;
  const bucket = buckets[b] as Bucket;
  if (b === 0 && bucket.le <= 0) return bucket.le;
  let start = 0;
  let count = bucket.count;
  if (b > 0) {
    const previous = buckets[b - 1] as Bucket;
    start = previous.le;
    count -= previous.count;
    rank -= previous.count;
  }
  return start + (bucket.le - start) * (rank / count);
}

function coalesce(sorted: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const b of sorted) {
    const last = out[out.length - 1];
    if (last && last.le === b.le) last.count += b.count;
    else out.push({ ...b });
  }
  return out;
}

/** Differences within 1e-12 relative are float noise of summed rates, not real decreases. */
function withoutPrecisionNoise(buckets: Bucket[]): Bucket[] {
  let previous = (buckets[0] as Bucket).count;
  for (let i = 1; i < buckets.length; i++) {
    const bucket = buckets[i] as Bucket;
    const delta = Math.abs(bucket.count - previous);
    if (delta === 0) continue;
    if (delta / bucket.count <= 1e-12) bucket.count = previous;
    else previous = bucket.count;
  }
  return buckets;
}

/** Cumulative counts never decrease with the bound; where they do, the envelope is used. */
function monotonic(buckets: Bucket[]): Bucket[] {
  let max = (buckets[0] as Bucket).count;
  for (const bucket of buckets.slice(1)) {
    if (bucket.count > max) max = bucket.count;
    else if (bucket.count < max) bucket.count = max;
  }
  return buckets;
}

/** `p99` for 0.99, `p50` for 0.5, `p999` for 0.999: the suffix of a quantile's metric name. */
export function quantileSuffix(q: number): string {
  const percent = Math.round(q * 100 * 1000) / 1000;
  return `p${String(percent).replace('.', '')}`;
}
