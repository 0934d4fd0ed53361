import { describe, expect, it } from 'vitest';
import { histogramQuantile, quantileSuffix } from './histogram-quantile.js';

// Expected values worked out by hand with PromQL's rules (promql/quantile.go): find the first
// bucket whose cumulative count reaches rank = q × total, interpolate linearly inside it.
const inf = Number.POSITIVE_INFINITY;
const buckets = [
  { le: 0.1, count: 10 },
  { le: 0.25, count: 30 },
  { le: 0.5, count: 70 },
  { le: 1, count: 90 },
  { le: inf, count: 100 },
];

describe('histogramQuantile, as PromQL histogram_quantile', () => {
  it('interpolates linearly inside the bucket the rank falls into', () => {
    // rank 50 falls in (0.25, 0.5]: 20 of its 40 observations → 0.25 + 0.25 × 20/40
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.375, 12);
    // rank 90 is the whole of (0.5, 1] → its upper bound
    expect(histogramQuantile(0.9, buckets)).toBeCloseTo(1, 12);
    // rank 5 in the lowest bucket interpolates from 0: 0.1 × 5/10
    expect(histogramQuantile(0.05, buckets)).toBeCloseTo(0.05, 12);
    expect(histogramQuantile(0, buckets)).toBe(0);
  });

  it('answers the highest finite bound when the rank falls into +Inf', () => {
    expect(histogramQuantile(0.99, buckets)).toBe(1);
    expect(histogramQuantile(1, buckets)).toBe(1);
  });

  it('is NaN without a +Inf bucket, with one bucket, or with no observation', () => {
    expect(histogramQuantile(0.5, buckets.slice(0, 4))).toBeNaN();
    expect(histogramQuantile(0.5, [{ le: inf, count: 5 }])).toBeNaN();
    expect(
      histogramQuantile(
        0.5,
        buckets.map((b) => ({ ...b, count: 0 })),
      ),
    ).toBeNaN();
    expect(histogramQuantile(0.5, [])).toBeNaN();
    expect(histogramQuantile(Number.NaN, buckets)).toBeNaN();
  });

  it('is -Inf below 0 and +Inf above 1', () => {
    expect(histogramQuantile(-0.1, buckets)).toBe(Number.NEGATIVE_INFINITY);
    expect(histogramQuantile(1.1, buckets)).toBe(inf);
  });

  it('sorts buckets, merges equal bounds and forces counts monotonic', () => {
    const shuffled = [buckets[3], buckets[0], buckets[4], buckets[2], buckets[1]].map((b) => ({
      ...b!,
    }));
    expect(histogramQuantile(0.5, shuffled)).toBeCloseTo(0.375, 12);
    // two series of the same bound add up: 0.1 → 10, then (0.1, 1] holds 10 more
    const split = [
      { le: 0.1, count: 4 },
      { le: 0.1, count: 6 },
      { le: 1, count: 20 },
      { le: inf, count: 20 },
    ];
    // rank 15 in (0.1, 1]: 5 of its 10 → 0.1 + 0.9 × 0.5
    expect(histogramQuantile(0.75, split)).toBeCloseTo(0.55, 12);
    // 0.25 holds 8 < 10 below it: PromQL takes the envelope (10), so rank 10 ends in 0.1
    const dented = [
      { le: 0.1, count: 10 },
      { le: 0.25, count: 8 },
      { le: 0.5, count: 20 },
      { le: inf, count: 20 },
    ];
    expect(histogramQuantile(0.5, dented)).toBeCloseTo(0.1, 12);
  });

  it('returns a lowest bound ≤ 0 as is instead of interpolating from 0', () => {
    const negative = [
      { le: -1, count: 5 },
      { le: 0, count: 10 },
      { le: inf, count: 10 },
    ];
    expect(histogramQuantile(0.2, negative)).toBe(-1);
    // rank 8 in (-1, 0]: 3 of its 5 → -1 + 1 × 3/5
    expect(histogramQuantile(0.8, negative)).toBeCloseTo(-0.4, 12);
  });
});

describe('quantileSuffix', () => {
  it('names quantiles p50, p90, p99, p999', () => {
    expect([0.5, 0.9, 0.95, 0.99, 0.999].map(quantileSuffix)).toEqual([
      'p50',
      'p90',
      'p95',
      'p99',
      'p999',
    ]);
  });
});
