import type { MetricAliasTable } from '@healstream/core';
import type { MetricType } from './classify.js';

/** One value of one Prometheus series, already assigned to a component. */
export interface Point {
  component: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
  /** Epoch ms: the scrape's time, or the sample's own. */
  timestamp: number;
}

/** A value healstream publishes as a MetricSample. */
export interface Derived {
  component: string;
  metric: string;
  value: number;
  timestamp: number;
  labels: Record<string, string>;
}

/** A counter's series, selected by label regexes (anchored, as PromQL's `=~`). */
export interface CounterSelector {
  /** Counter name, `_total` or not: `http_requests_total` and `http_requests` are the same. */
  counter: string;
  match: Readonly<Record<string, RegExp>>;
}

/** `name` = rate(numerator) / rate(denominator), e.g. error_rate = 5xx / all requests. */
export interface RatioRule {
  name: string;
  numerator: CounterSelector;
  denominator: CounterSelector;
}

export interface TrackerOptions {
  quantiles: readonly number[];
  ratios: readonly RatioRule[];
  /** A series not seen for this long leaves its family (Prometheus' staleness is 5 minutes). */
  staleAfterMs: number;
  maxSeries: number;
  /** Names published as canonical ones (default: the core's table, docs/metrics.md). */
  aliases?: MetricAliasTable;
  /** The declared type of a family (`# TYPE`, remote_write metadata), when known. */
  typeOf?: (family: string, component: string) => MetricType | undefined;
}

export interface Increase {
  perSecond: number;
  from: number;
  to: number;
}

export interface SeriesState {
  labels: Readonly<Record<string, string>>;
  value: number;
  timestamp: number;
  increase?: Increase;
  le?: number;
}

export interface FamilyState {
  component: string;
  kind: 'counter' | 'bucket';
  base: string;
  series: Set<string>;
  emittedAt: number;
  /** Per-series rates of the last emission: what ratios divide. */
  rates?: { at: number; series: { labels: Readonly<Record<string, string>>; perSecond: number }[] };
}

export const SEP = '\u0000';
export const seriesKey = (p: Point) =>
  [
    p.component,
    p.name,
    ...Object.entries(p.labels)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`),
  ].join(SEP);
export const familyKey = (component: string, kind: string, base: string) =>
  [component, kind, base].join(SEP);
export const counterBase = (name: string) => name.replace(/_total$/, '');

/** Labels every contributing series shares (version, instance...), minus the bucket bound. */
export function commonLabels(
  all: readonly Readonly<Record<string, string>>[],
): Record<string, string> {
  const [first, ...rest] = all;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first ?? {}))
    if (k !== 'le' && rest.every((l) => l[k] === v)) out[k] = v;
  return out;
}

export function matches(
  labels: Readonly<Record<string, string>>,
  selector: CounterSelector,
): boolean {
  return Object.entries(selector.match).every(([k, re]) => re.test(labels[k] ?? ''));
}

export interface Staged {
  series: Map<string, SeriesState>;
  families: Map<string, FamilyState>;
  histogramBases: Set<string>;
  ratioEmittedAt: Map<string, number>;
}
