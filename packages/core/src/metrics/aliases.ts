import { z } from 'zod';
import type { MetricSample } from '@healstream/contracts';
import { suggest } from '../suggest.js';

/**
 * The canonical metric names: the reference's five (`latency_p99`, `error_rate`, `throughput`,
 * `cpu_util`, `memory_util`) and the others the cause catalogue reads, with their unit.
 * docs/metrics.md is the prose of this list.
 */
export const CANONICAL_METRICS = {
  latency_p99: 'ms',
  error_rate: 'fraction 0..1',
  throughput: 'requests/s',
  cpu_util: 'fraction 0..1 (of one core)',
  memory_util: 'fraction 0..1',
  memory_mb: 'MiB',
  db_pool_active: 'connections',
  db_pool_max: 'connections',
  db_pool_utilization: 'fraction 0..1',
  dependency_error_rate: 'fraction 0..1',
  inflight_requests: 'requests',
  deploy: 'marker',
  up: '1 or 0',
  scrape_duration_ms: 'ms',
  replicas: 'instances',
} as const;

export type CanonicalMetric = keyof typeof CANONICAL_METRICS;

/** One alias: samples named `name` are published as `metric`, their value times `scale`. */
export const metricAliasSchema = z.strictObject({
  name: z.string().trim().min(1),
  metric: z.string().trim().min(1),
  /** Multiplier into the canonical unit (seconds → ms: 1000; percent → fraction: 0.01). */
  scale: z.number().positive().default(1),
});

export type MetricAlias = z.infer<typeof metricAliasSchema>;
export const metricAliasesSchema = z.array(metricAliasSchema);

/** The alias table every deployment starts from (docs/metrics.md, "Alias table"). */
export const DEFAULT_METRIC_ALIASES: readonly MetricAlias[] = [
  { name: 'latency_p99_ms', metric: 'latency_p99', scale: 1 },
  { name: 'latency_p99_seconds', metric: 'latency_p99', scale: 1000 },
  { name: 'p99_latency_ms', metric: 'latency_p99', scale: 1 },
  { name: 'http_request_duration_seconds_p99', metric: 'latency_p99', scale: 1000 },
  { name: 'http_request_duration_milliseconds_p99', metric: 'latency_p99', scale: 1 },
  { name: 'http_server_request_duration_seconds_p99', metric: 'latency_p99', scale: 1000 },
  { name: 'throughput_rps', metric: 'throughput', scale: 1 },
  { name: 'requests_per_second', metric: 'throughput', scale: 1 },
  { name: 'http_requests_rate', metric: 'throughput', scale: 1 },
  { name: 'http_server_requests_rate', metric: 'throughput', scale: 1 },
  { name: 'error_ratio', metric: 'error_rate', scale: 1 },
  { name: 'error_rate_percent', metric: 'error_rate', scale: 0.01 },
  { name: 'cpu_percent', metric: 'cpu_util', scale: 0.01 },
  { name: 'cpu_utilization', metric: 'cpu_util', scale: 1 },
  // The agent publishes a counter's per-second rate as <name>_rate: CPU seconds per second.
  { name: 'process_cpu_seconds_rate', metric: 'cpu_util', scale: 1 },
  { name: 'memory_percent', metric: 'memory_util', scale: 0.01 },
  // kube-state-metrics: the Deployment's available replicas.
  { name: 'kube_deployment_status_replicas_available', metric: 'replicas', scale: 1 },
  { name: 'memory_utilization', metric: 'memory_util', scale: 1 },
  { name: 'process_resident_memory_megabytes', metric: 'memory_mb', scale: 1 },
  { name: 'process_resident_memory_bytes', metric: 'memory_mb', scale: 1 / (1024 * 1024) },
  { name: 'inflight', metric: 'inflight_requests', scale: 1 },
  { name: 'http_requests_in_flight', metric: 'inflight_requests', scale: 1 },
  // Deploy markers as CD tools name them: one sample at the moment of the deploy.
  { name: 'deployment', metric: 'deploy', scale: 1 },
  { name: 'deploy_event', metric: 'deploy', scale: 1 },
];

/** A resolved alias table: alias name → canonical name and scale. */
export interface MetricAliasTable {
  readonly byName: ReadonlyMap<string, { metric: string; scale: number }>;
}

/**
 * The default table with a deployment's entries on top (an entry for an existing alias name
 * replaces it). An alias onto another alias is followed once, so `latency_p99_us` may map to
 * `latency_p99_ms` with scale 0.001.
 */
export function metricAliases(extra: readonly MetricAlias[] = []): MetricAliasTable {
  const raw = new Map<string, { metric: string; scale: number }>();
  for (const a of [...DEFAULT_METRIC_ALIASES, ...extra])
    raw.set(a.name, { metric: a.metric, scale: a.scale });
  const byName = new Map<string, { metric: string; scale: number }>();
  for (const [name, target] of raw) {
    const next = raw.get(target.metric);
    byName.set(
      name,
      next && next.metric !== name
        ? { metric: next.metric, scale: target.scale * next.scale }
        : target,
    );
  }
  return { byName };
}

export const DEFAULT_ALIAS_TABLE: MetricAliasTable = metricAliases();
/** No aliases at all: every name stays as it is. */
export const NO_ALIASES: MetricAliasTable = { byName: new Map() };

/** The canonical name of a metric and the factor into its unit (1 for a name not aliased). */
export function canonicalMetric(
  name: string,
  table: MetricAliasTable = DEFAULT_ALIAS_TABLE,
): { metric: string; scale: number } {
  return table.byName.get(name) ?? { metric: name, scale: 1 };
}

/** A sample under its canonical name and unit; the same object when it needs no change. */
export function canonicalSample<T extends Pick<MetricSample, 'metric' | 'value'>>(
  sample: T,
  table: MetricAliasTable = DEFAULT_ALIAS_TABLE,
): T {
  const alias = table.byName.get(sample.metric);
  return alias ? { ...sample, metric: alias.metric, value: sample.value * alias.scale } : sample;
}

/** Whether a metric name is canonical or an alias of one. */
export function isKnownMetric(
  name: string,
  table: MetricAliasTable = DEFAULT_ALIAS_TABLE,
): boolean {
  return name in CANONICAL_METRICS || table.byName.has(name);
}

/** The closest canonical name or alias, for a did-you-mean. */
export function suggestMetric(
  name: string,
  table: MetricAliasTable = DEFAULT_ALIAS_TABLE,
): string | undefined {
  return suggest(name, [...Object.keys(CANONICAL_METRICS), ...table.byName.keys()]);
}
