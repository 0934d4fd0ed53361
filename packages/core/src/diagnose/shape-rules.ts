import { describe, num, pct } from './evidence.js';
import {
  busy,
  fell,
  poolUtilization,
  ratioToBaseline,
  rose,
  surged,
  type CauseRule,
  type CauseFinding,
} from './rule.js';
import { INTERVAL_LABEL, SILENT_FOR_LABEL } from '../detect/silence.js';

/** A p99 within 2% of a whole number of seconds (≥ 1 s): requests wait out a client timeout. */
export function atTimeoutCeiling(latencyMs: number): boolean {
  if (latencyMs < 1000) return false;
  const nearest = Math.round(latencyMs / 1000) * 1000;
  return Math.abs(latencyMs - nearest) <= nearest * 0.02;
}

/**
 * A failing downstream: our errors rise while our own CPU stays calm (we wait, we do not work);
 * calls that time out pin the p99 at the client's timeout; calls refused fail fast.
 */
export const dependencyFailure: CauseRule = {
  cause: 'dependency-failure',
  summary: 'a downstream dependency fails and the errors propagate',
  shape:
    'errors up with a calm CPU; the p99 pinned at a timeout ceiling (a whole number of seconds) when calls time out; dependency_error_rate up when reported',
  metrics: [
    'dependency_error_rate',
    'error_rate',
    'latency_p99',
    'cpu_util',
    'db_pool_utilization',
  ],
  assess(e) {
    const dep = e.value('dependency_error_rate');
    const depFailing =
      dep !== undefined && (dep >= 0.1 || e.anomaly('dependency_error_rate') !== undefined);
    const errors = e.value('error_rate') ?? 0;
    const erroring = errors >= 0.1 && e.anomaly('error_rate') !== undefined;
    // Still ramping in: errors several times their pre-incident level, though not yet 10%.
    const rising = !erroring && errors >= 0.03 && rose(e, 'error_rate', 2.5);
    // A dependency_error_rate reported calm rules the dependency out: the errors are ours.
    if (dep !== undefined && !depFailing) return null;
    const cpu = e.value('cpu_util');
    // Without the dependency's own errors, the shape needs a CPU seen calm.
    if (!depFailing && (!(erroring || rising) || cpu === undefined)) return null;
    // Saturated or climbing CPU, or a full or filling pool, explain errors from within.
    if (busy(e, 0.85) || rose(e, 'cpu_util', 1.3)) return null;
    if ((poolUtilization(e) ?? 0) >= 0.9 || rose(e, 'db_pool_utilization', 1.3)) return null;
    const evidence: string[] = [];
    let confidence = 0.55;
    if (depFailing) {
      confidence += 0.3;
      evidence.push(`calls to dependencies fail: ${describe(e, 'dependency_error_rate', pct)}`);
    }
    if (erroring) {
      confidence += 0.1;
      evidence.push(`our errors rise: ${describe(e, 'error_rate', pct)}`);
    } else if (rising) {
      evidence.push(`our errors climb from their usual level: ${describe(e, 'error_rate', pct)}`);
    }
    const latency = e.value('latency_p99');
    if (latency !== undefined && atTimeoutCeiling(latency)) {
      confidence += 0.2;
      evidence.push(`p99 ${num(latency)} ms sits at a timeout ceiling: calls wait out a timeout`);
    }
    if (cpu !== undefined) evidence.push(`cpu ${pct(cpu)} is calm: we wait, we do not work`);
    return { confidence, evidence };
  },
};

/** Stuck threads: work stops (throughput collapses, CPU idles) while requests wait for ever. */
export const deadlockHang: CauseRule = {
  cause: 'deadlock-hang',
  summary: 'requests pile up while throughput and CPU fall: threads are stuck',
  shape:
    'throughput collapsed below a fifth of its usual level, CPU idle (< 15%), latency huge or requests piling up in flight',
  metrics: ['throughput', 'inflight_requests', 'cpu_util', 'latency_p99'],
  assess(e) {
    const tp = e.value('throughput');
    if (tp === undefined) return null;
    const ratio = ratioToBaseline(e, 'throughput');
    const cpu = e.value('cpu_util');
    const latency = e.value('latency_p99') ?? 0;
    // Once the scorer has taken a collapse as the new level, the absolute shape still tells it.
    const stuck = tp < 500 && cpu !== undefined && cpu < 0.1 && latency >= 2000;
    const collapsed = tp === 0 || (ratio !== undefined && ratio < 0.2) || stuck;
    // On its way there: work and CPU both fall from their pre-incident levels, or requests
    // wait seconds with no errors, no busier CPU, no full pool, no full memory, no more load.
    const falling = fell(e, 'throughput', 0.6) && fell(e, 'cpu_util', 0.7);
    const waiting =
      latency >= 1000 &&
      rose(e, 'latency_p99', 4) &&
      (e.value('error_rate') ?? 0) < 0.05 &&
      !busy(e, 0.85) &&
      !rose(e, 'cpu_util', 1.2) &&
      !surged(e) &&
      (poolUtilization(e) ?? 0) < 0.9 &&
      !rose(e, 'db_pool_utilization', 1.3) &&
      (e.value('memory_util') ?? 0) < 0.85;
    if (!collapsed && !falling && !waiting) return null;
    const evidence = [
      collapsed
        ? `throughput collapsed: ${describe(e, 'throughput')}`
        : falling
          ? `throughput and CPU fall together: ${describe(e, 'throughput')}, ${describe(e, 'cpu_util', pct)}`
          : `requests wait with nothing busier: ${describe(e, 'latency_p99')}`,
    ];
    let confidence = collapsed ? 0.45 : waiting && !falling ? 0.5 : 0.4;
    if (cpu !== undefined && cpu < 0.15) {
      confidence += 0.2;
      evidence.push(`cpu ${pct(cpu)}: the process is idle, not busy`);
    }
    const inflight = e.value('inflight_requests');
    const inflightRatio = ratioToBaseline(e, 'inflight_requests');
    if (
      inflight !== undefined &&
      inflight > 0 &&
      (inflightRatio === undefined || inflightRatio > 1)
    ) {
      confidence += 0.2;
      evidence.push(`requests still in flight: ${describe(e, 'inflight_requests')}`);
    }
    if (latency >= 1000 && (collapsed || falling)) {
      confidence += 0.2;
      evidence.push(`the few requests that finish waited: ${describe(e, 'latency_p99')}`);
    }
    return { confidence, evidence };
  },
};

/** The agent's `up` is 0: the target did not answer its scrape, so no data comes from it. */
export const crashSilence: CauseRule = {
  cause: 'crash-silence',
  summary: 'the component does not answer its scrape: it crashed or hangs hard',
  shape: "`up` 0 from the agent; the component's own metrics stop (go stale)",
  metrics: ['up'],
  assess(e) {
    if (e.event.kind === 'SILENT') return silentFinding(e.event.labels, e.value('up'));
    const up = e.value('up');
    if (up === undefined || up > 0) return null;
    const last = e.event.snapshot
      .filter((r) => r.metric !== 'up' && r.metric !== 'deploy')
      .reduce((latest, r) => Math.max(latest, r.observedAt), -Infinity);
    const silentMs = Number.isFinite(last) ? e.event.detectedAt - last : undefined;
    return {
      confidence: 0.9,
      evidence: [
        'up 0: the scrape got no answer',
        silentMs === undefined
          ? 'no metric from the component at all'
          : `no metric from the component for ${Math.round(silentMs / 1000)} s`,
      ],
    };
  },
};

/** The detector found the component silent (a SILENT event): no sample for several intervals. */
function silentFinding(labels: Record<string, string>, up: number | undefined): CauseFinding {
  const silentS = Math.round(Number(labels[SILENT_FOR_LABEL] ?? 0) / 1000);
  const interval = Number(labels[INTERVAL_LABEL] ?? NaN);
  const evidence = [`no sample from the component for ${silentS} s`];
  evidence.push(
    Number.isFinite(interval)
      ? `it sends every ${num(interval / 1000)} s: ${Math.floor((silentS * 1000) / interval)} intervals missed`
      : 'its sample interval is not known yet: the silence floor applied',
  );
  if (up === 0) evidence.push('up 0: the scraper still runs and got no answer');
  return { confidence: up === 0 ? 0.95 : 0.85, evidence };
}
