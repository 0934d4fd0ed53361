import { TrackerBatch } from './tracker-batch.js';
import type { FamilyState, SeriesState, Staged, TrackerOptions } from './tracker-types.js';

/**
 * Turns Prometheus series into healstream's samples: gauges as they are, counters as per-second
 * rates (`<name without _total>_rate`), classic histograms as quantiles (`<base>_p99` in the
 * histogram's unit), and configured ratios of counter rates. Rates and quantiles need two
 * samples of a series, so they come from the second scrape on; a counter that went down was
 * reset and counts from zero, as `rate()` does. A family is published once every series of it
 * has a sample of the same time (remote_write may split one scrape over requests).
 *
 * State changes are staged: `begin()` then `commit()` once what it derived has been published,
 * so a batch that failed to publish can be sent again and derives the same samples.
 */
export class SeriesTracker {
  private readonly series = new Map<string, SeriesState>();
  private readonly families = new Map<string, FamilyState>();
  private readonly histogramBases = new Set<string>();
  private readonly ratioEmittedAt = new Map<string, number>();
  private latest = 0;
  private commits = 0;

  constructor(private readonly options: TrackerOptions) {}

  get seriesCount(): number {
    return this.series.size;
  }

  begin(): TrackerBatch {
    return new TrackerBatch(
      this.options,
      {
        series: this.series,
        families: this.families,
        histogramBases: this.histogramBases,
        ratioEmittedAt: this.ratioEmittedAt,
      },
      (staged, latest) => this.apply(staged, latest),
    );
  }

  private apply(staged: Staged, latest: number): void {
    for (const [k, v] of staged.series) this.series.set(k, v);
    for (const [k, v] of staged.families) this.families.set(k, v);
    for (const b of staged.histogramBases) this.histogramBases.add(b);
    for (const [k, v] of staged.ratioEmittedAt) this.ratioEmittedAt.set(k, v);
    this.latest = Math.max(this.latest, latest);
    if (++this.commits % 100 === 0) this.evict();
  }

  private evict(): void {
    const before = this.latest - 2 * this.options.staleAfterMs;
    for (const [key, s] of this.series) {
      if (s.timestamp >= before) continue;
      this.series.delete(key);
      for (const f of this.families.values()) f.series.delete(key);
    }
    for (const [key, f] of this.families) if (f.series.size === 0) this.families.delete(key);
  }
}
