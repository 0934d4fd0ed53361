/** What a Prometheus series is to healstream, decided from its name, its labels and its type. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export type SeriesRole =
  /** A bucket counter of histogram `base`, with its upper bound. */
  | { role: 'bucket'; base: string; le: number }
  /** A counter; `base` is its name without `_total`. */
  | { role: 'counter'; base: string }
  /** A value published as is under `name` (a gauge, or a summary's precomputed quantile). */
  | { role: 'gauge'; name: string }
  /** Parts healstream does not publish: `_sum`, `_count`, `_created` of a histogram or summary. */
  | { role: 'skip' };

const strip = (name: string, suffix: string) =>
  name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;

function parseBound(raw: string): number | undefined {
  if (raw === '+Inf' || raw === 'Inf') return Number.POSITIVE_INFINITY;
  const value = Number(raw);
  return raw.trim() === '' || Number.isNaN(value) ? undefined : value;
}

/**
 * The role of one series. `typeOf` answers the family's declared type (`# TYPE` on a scraped
 * page, metadata in remote_write) or undefined; without one, names decide as Prometheus'
 * conventions say: `_bucket` with `le` is a histogram bucket, `_total` a counter, a `quantile`
 * label a summary's quantile. A summary quantile becomes `<name>_p99`, like a histogram's.
 */
export function classify(
  name: string,
  labels: Readonly<Record<string, string>>,
  typeOf: (family: string) => MetricType | undefined,
  quantileName: (q: number) => string,
): SeriesRole {
  const own = typeOf(name);
  const bucketBase = strip(name, '_bucket');
  if (bucketBase !== undefined && labels['le'] !== undefined) {
    const type = typeOf(bucketBase);
    const le = parseBound(labels['le']);
    if ((type === undefined || type === 'histogram') && le !== undefined)
      return { role: 'bucket', base: bucketBase, le };
  }
  for (const suffix of ['_sum', '_count', '_created']) {
    const base = strip(name, suffix);
    if (base === undefined) continue;
    const type = typeOf(base);
    if (type === 'histogram' || type === 'summary' || suffix === '_created')
      return { role: 'skip' };
  }
  if (labels['quantile'] !== undefined && (own === 'summary' || own === undefined)) {
    const q = Number(labels['quantile']);
    if (Number.isFinite(q)) return { role: 'gauge', name: `${name}_${quantileName(q)}` };
  }
  const totalBase = strip(name, '_total');
  if (own === 'counter') return { role: 'counter', base: totalBase ?? name };
  if (totalBase !== undefined && (typeOf(totalBase) === 'counter' || own === undefined))
    return { role: 'counter', base: totalBase };
  return { role: 'gauge', name };
}
