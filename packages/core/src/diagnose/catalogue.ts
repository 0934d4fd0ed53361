import { describe, pct } from './evidence.js';
import {
  busy,
  elevated,
  poolUtilization,
  ratioToBaseline,
  rose,
  surged,
  type CauseRule,
} from './rule.js';
import { crashSilence, deadlockHang, dependencyFailure } from './shape-rules.js';

export type { CauseFinding, CauseRule } from './rule.js';

/**
 * The catalogue of causes, each recognised by the shape it leaves in one complete scrape
 * (docs/diagnosis.md). Confidences are in [0, 1], calibrated on the tune seeds of
 * `pnpm bench:diagnosis`; each rule says why in plain lines.
 */
export const CAUSE_CATALOGUE: readonly CauseRule[] = [
  {
    cause: 'connection-pool-exhaustion',
    summary: 'the database connection pool is (nearly) full, so requests queue for a connection',
    shape: 'db pool utilisation ≥ 90%, latency up (requests wait for a connection), some errors',
    metrics: ['db_pool_utilization', 'db_pool_active', 'db_pool_max', 'latency_p99', 'error_rate'],
    assess(e) {
      const util = poolUtilization(e);
      if (util === undefined) return null;
      // Filling: well above its pre-incident level and past 70%, on its way to full.
      const filling =
        util >= 0.5 && rose(e, 'db_pool_utilization', 1.3) && elevated(e, 'latency_p99', 300);
      if (util < 0.9 && !filling) return null;
      const evidence = [
        util >= 0.9
          ? `db pool utilization ${pct(util)} ≥ 90%`
          : `db pool filling: ${describe(e, 'db_pool_utilization', pct)}`,
      ];
      let confidence = util >= 0.9 ? 0.55 : 0.45;
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
    shape: 'memory ≥ 85% or well above its usual level, CPU < 85%, traffic as usual',
    metrics: ['memory_util', 'memory_mb', 'cpu_util', 'throughput'],
    assess(e) {
      const util = e.value('memory_util');
      const grown = ['memory_mb', 'memory_util'].find((m) => (ratioToBaseline(e, m) ?? 0) > 1.2);
      if ((util === undefined || util < 0.85) && grown === undefined) return null;
      // Saturated CPU is resource exhaustion; more traffic holds more memory, and is a spike.
      if (busy(e, 0.85) || surged(e)) return null;
      // CPU climbing as fast as memory is load, not a leak (resource exhaustion).
      const memRatio = ratioToBaseline(e, grown ?? 'memory_util') ?? 1;
      const cpuRatio = ratioToBaseline(e, 'cpu_util') ?? 1;
      if (cpuRatio >= 1.3 && cpuRatio >= memRatio) return null;
      const evidence: string[] = [];
      let confidence = 0.45;
      if (util !== undefined && util >= 0.85) evidence.push(`memory ${pct(util)} ≥ 85%`);
      if (grown) {
        confidence += 0.25;
        evidence.push(`memory above its usual level: ${describe(e, grown)}`);
      }
      const cpu = e.value('cpu_util');
      if (cpu !== undefined && (cpuRatio < 1.5 || cpuRatio < memRatio)) {
        confidence += 0.1;
        evidence.push(`cpu ${pct(cpu)} is not saturated, so the memory is not work in progress`);
      }
      return { confidence, evidence };
    },
  },
  {
    cause: 'resource-exhaustion',
    summary: 'CPU (and memory) saturated: the component is out of capacity',
    shape: 'CPU ≥ 90%, or ≥ 85% with memory ≥ 85% (which makes it surer), traffic as usual',
    metrics: ['cpu_util', 'memory_util', 'throughput'],
    assess(e) {
      const cpu = e.value('cpu_util');
      const mem = e.value('memory_util');
      const memFull = mem !== undefined && mem >= 0.85;
      if (cpu === undefined) return null;
      // Both high: a noisy CPU just under 90% is still saturated when memory is full too.
      const saturated = cpu >= (memFull ? 0.85 : 0.9);
      // Climbing towards it: CPU well above its pre-incident level, latency following, the
      // same load, and memory growing no faster (that would be a leak).
      const climbing =
        cpu >= 0.4 &&
        rose(e, 'cpu_util', 1.3) &&
        elevated(e, 'latency_p99', 300) &&
        (ratioToBaseline(e, 'throughput') ?? 1) < 1.2 &&
        (ratioToBaseline(e, 'memory_util') ?? 1) <= (ratioToBaseline(e, 'cpu_util') ?? 1);
      if (!saturated && !climbing) return null;
      const evidence = [
        saturated
          ? `cpu ${pct(cpu)} ≥ ${memFull ? 85 : 90}%`
          : `cpu climbs with the same load: ${describe(e, 'cpu_util', pct)}`,
      ];
      let confidence = cpu >= 0.9 ? 0.7 : 0.55;
      if (memFull) {
        evidence.push(`memory ${pct(mem)} ≥ 85%`);
        confidence += 0.15;
      }
      if (surged(e)) {
        // The work is the traffic's: a spike, which the traffic-spike rule names first.
        confidence = Math.min(confidence, 0.6);
        evidence.push(`but traffic is up: ${describe(e, 'throughput')}`);
      }
      return { confidence, evidence };
    },
  },
  {
    cause: 'traffic-spike',
    summary: 'more requests than usual arrive',
    shape: 'throughput ≥ 1.5× its usual level; latency and CPU follow the load',
    metrics: ['throughput', 'latency_p99', 'cpu_util'],
    assess(e) {
      const ratio = ratioToBaseline(e, 'throughput');
      if (ratio === undefined) return null;
      const loadShows =
        elevated(e, 'latency_p99', 300) || elevated(e, 'cpu_util', 0.8) || rose(e, 'cpu_util', 1.2);
      // Building up: a quarter more traffic than before the incident, and the load shows.
      if (ratio < 1.5 && !(ratio >= 1.25 && loadShows)) return null;
      const evidence = [`traffic up: ${describe(e, 'throughput')}, ${ratio.toFixed(1)}× usual`];
      let confidence = ratio >= 1.5 ? 0.6 : 0.5;
      if (loadShows) {
        confidence += 0.25;
        evidence.push(
          `the load shows: ${describe(e, 'latency_p99')}, ${describe(e, 'cpu_util', pct)}`,
        );
      }
      return { confidence, evidence };
    },
  },
  dependencyFailure,
  {
    cause: 'bad-deploy',
    summary: 'errors, latency or memory stepped up right after a deploy',
    shape:
      'a deploy marker (deploy sample, version/deploy label change) shortly before errors, latency, memory or CPU step up',
    metrics: ['deploy', 'error_rate', 'latency_p99', 'memory_util', 'cpu_util'],
    assess(e, { badDeployWindowMs }) {
      const at = e.observedAt('deploy');
      if (at === undefined) return null;
      const since = e.event.detectedAt - at;
      if (since < 0 || since > badDeployWindowMs) return null;
      const symptoms = ['error_rate', 'latency_p99', 'memory_util', 'cpu_util'].filter(
        (m) => e.anomaly(m) !== undefined,
      );
      if (symptoms.length === 0) return null;
      const version = e.event.labels['version'];
      const evidence = [
        `deployed ${Math.round(since / 1000)} s before the anomaly${version ? ` (now version ${version})` : ''}`,
        ...symptoms.map(
          (m) => `stepped up since: ${describe(e, m, m === 'error_rate' ? pct : undefined)}`,
        ),
      ];
      // A deploy this close before the symptoms explains them better than the shape they
      // take (a leak the new version brought is a bad deploy: roll it back).
      return { confidence: since <= badDeployWindowMs / 3 ? 0.95 : 0.85, evidence };
    },
  },
  deadlockHang,
  crashSilence,
];

export const UNKNOWN_CAUSE = 'unknown';
