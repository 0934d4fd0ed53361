import { canonicalSample, DEFAULT_ALIAS_TABLE } from '@healstream/core';
import { classify } from './classify.js';
import { histogramQuantile, quantileSuffix } from './histogram-quantile.js';
import {
  SEP,
  commonLabels,
  counterBase,
  familyKey,
  matches,
  seriesKey,
  type CounterSelector,
  type Derived,
  type FamilyState,
  type Increase,
  type Point,
  type SeriesState,
  type Staged,
  type TrackerOptions,
} from './tracker-types.js';

/** One batch of points over a tracker; nothing changes in the tracker until `commit()`. */
export class TrackerBatch {
  private readonly staged: Staged = {
    series: new Map(),
    families: new Map(),
    histogramBases: new Set(),
    ratioEmittedAt: new Map(),
  };
  private readonly touched = new Set<string>();
  private latest = 0;
  /** Series refused because the tracker holds maxSeries already. */
  dropped = 0;

  constructor(
    private readonly options: TrackerOptions,
    private readonly base: Staged,
    private readonly onCommit: (staged: Staged, latest: number) => void,
  ) {}

  private getSeries(key: string) {
    return this.staged.series.get(key) ?? this.base.series.get(key);
  }

  private family(component: string, kind: 'counter' | 'bucket', name: string): FamilyState {
    const key = familyKey(component, kind, name);
    let f = this.staged.families.get(key);
    if (!f) {
      const known = this.base.families.get(key);
      f = known
        ? { ...known, series: new Set(known.series) }
        : { component, kind, base: name, series: new Set(), emittedAt: 0 };
      this.staged.families.set(key, f);
    }
    this.touched.add(key);
    return f;
  }

  private isHistogram(component: string, base: string): boolean {
    const key = component + SEP + base;
    return this.staged.histogramBases.has(key) || this.base.histogramBases.has(key);
  }

  /**
   * Adds points; returns the gauges among them and every rate, quantile and ratio now due.
   * `complete` names components whose every series is in `points` (a whole scraped page): a
   * series of theirs that is missing has gone and no longer holds its family back.
   */
  add(points: readonly Point[], complete: readonly string[] = []): Derived[] {
    const out: Derived[] = [];
    const seen = new Set<string>();
    const gaugesSeen = new Set<string>();
    for (const p of points)
      if (p.name.endsWith('_bucket') && p.labels['le'] !== undefined)
        this.staged.histogramBases.add(p.component + SEP + p.name.slice(0, -'_bucket'.length));
    for (const p of [...points].sort((a, b) => a.timestamp - b.timestamp)) {
      if (Number.isNaN(p.value)) {
        // Prometheus marks a series that left its target with a NaN: it has ended.
        this.end(p);
        continue;
      }
      if (!Number.isFinite(p.value)) continue;
      seen.add(seriesKey(p));
      this.latest = Math.max(this.latest, p.timestamp);
      const role = classify(
        p.name,
        p.labels,
        (family) =>
          this.options.typeOf?.(family, p.component) ??
          (this.isHistogram(p.component, family) ? 'histogram' : undefined),
        quantileSuffix,
      );
      if (role.role === 'skip') continue;
      if (role.role === 'gauge') {
        // One value per metric, component and time: the first series of the page or request.
        const key = [p.component, role.name, p.timestamp].join(SEP);
        if (gaugesSeen.has(key)) continue;
        gaugesSeen.add(key);
        const { le: _le, ...labels } = p.labels;
        out.push({
          component: p.component,
          metric: role.name,
          value: p.value,
          timestamp: p.timestamp,
          labels,
        });
        continue;
      }
      this.observe(
        p,
        role.role === 'bucket'
          ? this.family(p.component, 'bucket', role.base)
          : this.family(p.component, 'counter', role.base),
        role.role === 'bucket' ? role.le : undefined,
      );
    }
    for (const component of complete) this.endUnseen(component, seen);
    for (const key of this.touched)
      out.push(...this.emit(this.staged.families.get(key) as FamilyState));
    out.push(...this.ratios());
    return this.canonical(out);
  }

  /**
   * Every derived value under its canonical name and unit (the core's alias table), so the
   * pipeline reads `latency_p99` whether the page said `http_request_duration_seconds` or
   * `latency_p99_ms`; when two names of a page fold onto one metric, the first one stays.
   */
  private canonical(derived: Derived[]): Derived[] {
    const table = this.options.aliases ?? DEFAULT_ALIAS_TABLE;
    const seen = new Set<string>();
    const out: Derived[] = [];
    for (const d of derived) {
      const c = canonicalSample(d, table);
      const key = [c.component, c.metric, c.timestamp].join(SEP);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(c);
    }
    return out;
  }

  private end(p: Point): void {
    const key = seriesKey(p);
    for (const kind of ['counter', 'bucket'] as const) {
      const base = kind === 'bucket' ? p.name.replace(/_bucket$/, '') : counterBase(p.name);
      const known = this.base.families.get(familyKey(p.component, kind, base));
      if (known?.series.has(key) || this.staged.families.has(familyKey(p.component, kind, base)))
        this.family(p.component, kind, base).series.delete(key);
    }
  }

  private endUnseen(component: string, seen: ReadonlySet<string>): void {
    for (const [key, known] of this.base.families) {
      if (known.component !== component) continue;
      const family = this.staged.families.get(key) ?? known;
      if ([...family.series].every((s) => seen.has(s))) continue;
      const f = this.family(component, known.kind, known.base);
      for (const s of [...f.series]) if (!seen.has(s)) f.series.delete(s);
    }
  }

  private observe(p: Point, family: FamilyState, le: number | undefined): void {
    const key = seriesKey(p);
    const previous = this.getSeries(key);
    if (!previous) {
      if (this.base.series.size + this.staged.series.size >= this.options.maxSeries) {
        this.dropped++;
        return;
      }
      this.staged.series.set(key, {
        labels: p.labels,
        value: p.value,
        timestamp: p.timestamp,
        ...(le === undefined ? {} : { le }),
      });
      family.series.add(key);
      return;
    }
    if (p.timestamp <= previous.timestamp) return; // sent again, or out of order: already counted
    // A counter that went down was reset: it counted from zero since (what rate() assumes).
    const delta = p.value >= previous.value ? p.value - previous.value : p.value;
    const increase = {
      perSecond: delta / ((p.timestamp - previous.timestamp) / 1000),
      from: previous.timestamp,
      to: p.timestamp,
    };
    this.staged.series.set(key, { ...previous, value: p.value, timestamp: p.timestamp, increase });
    family.series.add(key);
  }

  private emit(family: FamilyState): Derived[] {
    const members: SeriesState[] = [];
    let at = 0;
    for (const key of family.series) {
      const s = this.getSeries(key);
      if (!s) continue;
      members.push(s);
      at = Math.max(at, s.timestamp);
    }
    if (at <= family.emittedAt) return [];
    const live = members.filter((s) => s.timestamp >= at - this.options.staleAfterMs);
    if (!live.every((s) => s.timestamp === at)) return []; // the rest of this scrape is to come
    // A series seen for the first time has no rate yet: it neither counts nor holds back.
    const current = live.filter((s) => s.increase?.to === at);
    if (current.length === 0) return [];
    family.emittedAt = at;
    const labels = commonLabels(current.map((s) => s.labels));
    const base = { component: family.component, timestamp: at, labels };
    if (family.kind === 'counter') {
      const series = current.map((s) => ({
        labels: s.labels,
        perSecond: (s.increase as Increase).perSecond,
      }));
      family.rates = { at, series };
      return [
        {
          ...base,
          metric: `${family.base}_rate`,
          value: series.reduce((sum, s) => sum + s.perSecond, 0),
        },
      ];
    }
    // sum by (le) (rate(<base>_bucket)), then histogram_quantile for each quantile asked.
    const byLe = new Map<number, number>();
    for (const s of current)
      byLe.set(
        s.le as number,
        (byLe.get(s.le as number) ?? 0) + (s.increase as Increase).perSecond,
      );
    const buckets = [...byLe].map(([le, count]) => ({ le, count }));
    const out: Derived[] = [];
    for (const q of this.options.quantiles) {
      const value = histogramQuantile(q, buckets);
      if (Number.isFinite(value))
        out.push({ ...base, metric: `${family.base}_${quantileSuffix(q)}`, value });
    }
    return out;
  }

  private ratios(): Derived[] {
    const out: Derived[] = [];
    const components = new Set([...this.touched].map((k) => k.split(SEP)[0] as string));
    for (const component of components) {
      for (const rule of this.options.ratios) {
        const rates = (s: CounterSelector) => {
          const key = familyKey(component, 'counter', counterBase(s.counter));
          return (this.staged.families.get(key) ?? this.base.families.get(key))?.rates;
        };
        const num = rates(rule.numerator);
        const den = rates(rule.denominator);
        if (!num || !den || num.at !== den.at) continue;
        const emittedKey = component + SEP + rule.name;
        if (
          (this.staged.ratioEmittedAt.get(emittedKey) ??
            this.base.ratioEmittedAt.get(emittedKey) ??
            0) >= num.at
        )
          continue;
        const sum = (r: typeof num, s: CounterSelector) =>
          r.series.filter((x) => matches(x.labels, s)).reduce((t, x) => t + x.perSecond, 0);
        const denominator = sum(den, rule.denominator);
        if (denominator <= 0) continue; // no traffic: no error rate (PromQL gives NaN)
        this.staged.ratioEmittedAt.set(emittedKey, num.at);
        out.push({
          component,
          metric: rule.name,
          value: sum(num, rule.numerator) / denominator,
          timestamp: num.at,
          labels: {},
        });
      }
    }
    return out;
  }

  /** Makes the batch's changes the tracker's: call once what `add` derived is published. */
  commit(): void {
    this.onCommit(this.staged, this.latest);
  }
}
