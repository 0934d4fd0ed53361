/** One gauge of a member's /metrics page. */
export interface Gauge {
  name: string;
  help: string;
  value: number;
}

/**
 * The canonical metric names the detector and the diagnoser read (docs/metrics.md), and no
 * aliases: the agent would fold them onto the same names, twice a scrape. The metrics agent
 * publishes every gauge of the page and the detector scores each, so state that steps by design (uptime, circuit-breaker and
 * fallback switches) is on /status, not here: it would look anomalous after every fix.
 */
export interface MemberSnapshot {
  latencyP99Ms: number;
  errorRate: number;
  requestsPerSecond: number;
  dependencyErrorRate: number;
  inflight: number;
  cpuUtil: number;
  memoryMb: number;
  memoryUtil: number;
  poolActive: number;
  poolMax: number;
  circuitOpen: boolean;
  fallback: boolean;
  uptimeSeconds: number;
  /** Instances of the component sharing its traffic, this one included (from their heartbeats). */
  replicas: number;
}

export function gauges(s: MemberSnapshot): Gauge[] {
  return [
    {
      name: 'latency_p99',
      help: '99th percentile request latency over the last seconds, in ms.',
      value: s.latencyP99Ms,
    },
    {
      name: 'error_rate',
      help: 'Share of requests answered with a 5xx status (0..1).',
      value: s.errorRate,
    },
    { name: 'throughput', help: 'Requests served per second.', value: s.requestsPerSecond },
    {
      name: 'dependency_error_rate',
      help: 'Share of calls to the downstream dependency that failed (0..1).',
      value: s.dependencyErrorRate,
    },
    { name: 'inflight_requests', help: 'Requests being served now.', value: s.inflight },
    {
      name: 'cpu_util',
      help: 'CPU used by the process, share of one core (0..1).',
      value: s.cpuUtil,
    },
    { name: 'memory_mb', help: 'Resident memory of the process, in MiB.', value: s.memoryMb },
    {
      name: 'memory_util',
      help: 'Resident memory as a share of the memory limit (0..1).',
      value: s.memoryUtil,
    },
    {
      name: 'db_pool_active',
      help: 'Database connections in use (leaked ones included).',
      value: s.poolActive,
    },
    { name: 'db_pool_max', help: 'Size of the database connection pool.', value: s.poolMax },
    // It steps on every scale-up by design; the detector reads it for a surplus, never scores it.
    {
      name: 'replicas',
      help: 'Instances of the component sharing its traffic, this one included.',
      value: s.replicas,
    },
    {
      name: 'db_pool_utilization',
      help: 'db_pool_active / db_pool_max (0..1).',
      value: s.poolMax > 0 ? s.poolActive / s.poolMax : 0,
    },
  ];
}

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * Prometheus text exposition (format 0.0.4). Every sample carries the component, the instance
 * and the running version, so a scraper sees a deploy as a change of the `version` label.
 */
export function exposition(snapshot: MemberSnapshot, labels: Record<string, string>): string {
  const rendered = Object.entries(labels)
    .map(([k, v]) => `${k}="${escape(v)}"`)
    .join(',');
  const lines: string[] = [];
  for (const g of gauges(snapshot)) {
    lines.push(
      `# HELP ${g.name} ${g.help}`,
      `# TYPE ${g.name} gauge`,
      `${g.name}{${rendered}} ${Number.isFinite(g.value) ? Number(g.value.toFixed(6)) : 0}`,
    );
  }
  lines.push(
    '# HELP build_info The running build; the version label changes on every deploy.',
    '# TYPE build_info gauge',
    `build_info{${rendered}} 1`,
  );
  return `${lines.join('\n')}\n`;
}
