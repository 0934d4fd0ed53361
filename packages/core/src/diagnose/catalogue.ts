import { describe, pct, type Evidence } from './evidence.js';

export interface CauseFinding {
  confidence: number;
  evidence: string[];
}

export interface CauseRule {
  cause: string;
  summary: string;
  /** Metrics the rule reads (docs/metrics.md lists them all). */
  metrics: string[];
  assess(e: Evidence, options: { badDeployWindowMs: number }): CauseFinding | null;
}

const elevated = (e: Evidence, metric: string, level: number) =>
  e.anomaly(metric) !== undefined || (e.value(metric) ?? -Infinity) > level;

function poolUtilization(e: Evidence): number | undefined {
  const direct = e.value('db_pool_utilization');
  if (direct !== undefined) return direct;
  const active = e.value('db_pool_active');
  const max = e.value('db_pool_max');
  return active !== undefined && max !== undefined && max > 0 ? active / max : undefined;
}

/** The catalogue of causes. Confidences are in [0, 1]; each rule says why in plain lines. */
export const CAUSE_CATALOGUE: readonly CauseRule[] = [
  {
    cause: 'connection-pool-exhaustion',
    summary: 'the database connection pool is (nearly) full, so requests queue for a connection',
    metrics: ['db_pool_utilization', 'db_pool_active', 'db_pool_max', 'latency_p99', 'error_rate'],
    assess(e) {
      const util = poolUtilization(e);
      if (util === undefined || util < 0.9) return null;
      const evidence = [`db pool utilization ${pct(util)} ≥ 90%`];
      let confidence = 0.55;
      if (elevated(e, 'latency_p99', 300)) {
        confidence += 0.25;
        evidence.push(`requests wait: ${describe(e, 'latency_p99')}`);
      }
      if (elevated(e, 'error_rate', 0.05)) {
        confidence += 0.1;
        evidence.push(`connection timeouts surface as errors: ${describe(e, 'error_rate', pct)}`);
      }
      return { confidence, evidence };
    },
  },
  {
    cause: 'memory-leak',
    summary: 'memory grows while CPU does not: something holds on to memory',
    metrics: ['memory_util', 'memory_mb', 'cpu_util'],
    assess(e) {
      const util = e.value('memory_util');
      const grown = ['memory_mb', 'memory_util'].find((m) => {
        const a = e.anomaly(m);
        return a !== undefined && a.value > a.baseline * 1.2;
      });
      if ((util === undefined || util < 0.85) && grown === undefined) return null;
      const cpu = e.value('cpu_util');
      if (cpu !== undefined && cpu >= 0.9) return null; // that is resource exhaustion
      const evidence: string[] = [];
      let confidence = 0.45;
      if (util !== undefined && util >= 0.85) evidence.push(`memory ${pct(util)} ≥ 85%`);
      if (grown) {
        confidence += 0.25;
        evidence.push(`memory above its usual level: ${describe(e, grown)}`);
      }
      if (cpu !== undefined) {
        confidence += 0.1;
        evidence.push(`cpu ${pct(cpu)} is not saturated, so the memory is not work in progress`);
      }
      return { confidence, evidence };
    },
  },
  {
    cause: 'resource-exhaustion',
    summary: 'CPU (and memory) saturated: the component is out of capacity',
    metrics: ['cpu_util', 'memory_util'],
    assess(e) {
      const cpu = e.value('cpu_util');
      if (cpu === undefined || cpu < 0.9) return null;
      const mem = e.value('memory_util');
      const evidence = [`cpu ${pct(cpu)} ≥ 90%`];
      if (mem !== undefined && mem >= 0.85) {
        evidence.push(`memory ${pct(mem)} ≥ 85%`);
        return { confidence: 0.8, evidence };
      }
      return { confidence: 0.55, evidence };
    },
  },
  {
    cause: 'traffic-spike',
    summary: 'more requests than usual arrive',
    metrics: ['throughput', 'latency_p99', 'cpu_util'],
    assess(e) {
      const a = e.anomaly('throughput');
      if (!a || a.value <= a.baseline * 1.5) return null;
      const evidence = [
        `traffic up: ${describe(e, 'throughput')}, ${(a.value / Math.max(a.baseline, 1e-9)).toFixed(1)}× usual`,
      ];
      let confidence = 0.6;
      if (elevated(e, 'latency_p99', 300) || elevated(e, 'cpu_util', 0.8)) {
        confidence += 0.2;
        evidence.push(
          `the load shows: ${describe(e, 'latency_p99')}, ${describe(e, 'cpu_util', pct)}`,
        );
      }
      return { confidence, evidence };
    },
  },
  {
    cause: 'dependency-failure',
    summary: 'a downstream dependency fails and the errors propagate',
    metrics: ['dependency_error_rate', 'error_rate'],
    assess(e) {
      const dep = e.value('dependency_error_rate');
      if (dep === undefined || (dep < 0.1 && !e.anomaly('dependency_error_rate'))) return null;
      const evidence = [`calls to dependencies fail: ${describe(e, 'dependency_error_rate', pct)}`];
      let confidence = 0.6;
      if (elevated(e, 'error_rate', 0.05)) {
        confidence += 0.25;
        evidence.push(`and surface as our own errors: ${describe(e, 'error_rate', pct)}`);
      }
      return { confidence, evidence };
    },
  },
  {
    cause: 'bad-deploy',
    summary: 'errors or latency stepped up right after a deploy',
    metrics: ['deploy', 'error_rate', 'latency_p99'],
    assess(e, { badDeployWindowMs }) {
      const at = e.observedAt('deploy');
      if (at === undefined) return null;
      const since = e.event.detectedAt - at;
      if (since < 0 || since > badDeployWindowMs) return null;
      const symptoms = ['error_rate', 'latency_p99'].filter((m) => e.anomaly(m) !== undefined);
      if (symptoms.length === 0) return null;
      const version = e.event.labels['version'];
      const evidence = [
        `deployed ${Math.round(since / 1000)} s before the anomaly${version ? ` (now version ${version})` : ''}`,
        ...symptoms.map(
          (m) => `stepped up since: ${describe(e, m, m === 'error_rate' ? pct : undefined)}`,
        ),
      ];
      return { confidence: since <= badDeployWindowMs / 3 ? 0.85 : 0.7, evidence };
    },
  },
  {
    cause: 'deadlock-hang',
    summary: 'requests pile up while throughput and CPU fall: threads are stuck',
    metrics: ['throughput', 'inflight_requests', 'cpu_util'],
    assess(e) {
      const tp = e.value('throughput');
      const tpAnomaly = e.anomaly('throughput');
      const dropped =
        tp !== undefined &&
        (tp === 0 || (tpAnomaly !== undefined && tp < tpAnomaly.baseline * 0.5));
      if (!dropped) return null;
      const inflight = e.value('inflight_requests');
      const inflightAnomaly = e.anomaly('inflight_requests');
      const piling =
        inflight !== undefined &&
        inflight > 0 &&
        (inflightAnomaly === undefined || inflightAnomaly.value > inflightAnomaly.baseline);
      if (!piling) return null;
      const evidence = [
        `throughput collapsed: ${describe(e, 'throughput')}`,
        `requests still in flight: ${describe(e, 'inflight_requests')}`,
      ];
      let confidence = 0.6;
      const cpu = e.value('cpu_util');
      if (cpu !== undefined && cpu < 0.3) {
        confidence += 0.2;
        evidence.push(`cpu ${pct(cpu)}: the process is idle, not busy`);
      }
      return { confidence, evidence };
    },
  },
];

export const UNKNOWN_CAUSE = 'unknown';
