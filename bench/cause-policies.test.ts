import type { Diagnosis } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import {
  decide,
  emptyState,
  loadPolicyFiles,
  resolveDecisionConfig,
  resolveDetectorConfig,
  type Policy,
} from '@healstream/core';
import { runScenario } from './diagnosis-run.js';
import { SEEDS, STEP_MS, T0 as BENCH_T0, healthyScenario, rng } from './diagnosis-scenarios.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
/** The shipped set without policies/causes.yaml: the reference's five and silence.yaml. */
const SHIPPED = loadPolicyFiles(['policies/default.yaml', 'policies/silence.yaml'], {
  baseDir: repo,
});
const WITH_CAUSES = loadPolicyFiles(['policies'], { baseDir: repo });
const T0 = Date.parse('2026-03-01T10:00:00Z');

function diagnosisOf(
  metrics: Record<string, number>,
  cause: string,
  at: number,
  confidence: number,
): Diagnosis {
  return {
    eventId: `ev-${at}`,
    incidentId: 'inc-1',
    component: 'payments',
    kind: 'ANOMALY',
    severity: 'CRITICAL',
    detectedAt: at,
    diagnosedAt: at,
    snapshot: Object.entries(metrics).map(([metric, value]) => ({ metric, value, observedAt: at })),
    anomalies: [],
    labels: {},
    forecasts: [],
    causes: [{ cause, confidence, evidence: [] }],
  };
}

/** The policy of the first command over `scrapes` 5 s apart, or null when none acts. */
function firstActing(
  policies: readonly Policy[],
  metrics: Record<string, number>,
  cause: string,
  scrapes = 4,
  confidence = 0.8,
): string | null {
  const config = resolveDecisionConfig({ partitionCount: 1 });
  let state = emptyState();
  for (let i = 0; i < scrapes; i++) {
    const now = T0 + i * 5_000;
    const out = decide({
      diagnosis: diagnosisOf(metrics, cause, now, confidence),
      state,
      policies,
      config,
      now,
    });
    state = out.state;
    const command = out.commands.find((c) => c.mode === 'ENFORCE');
    if (command) return command.policy.name;
  }
  return null;
}

// Each fault as its symptoms look once the diagnosis is sure: the policy of policies/causes.yaml
// acts first. Without it, the reference's metric policy that takes the cause's remedy acts
// (High Error Rate on a failing dependency), one that takes none of it waits for one that does
// (remedy-choice.ts: nothing acts within these 15 s), or none matches (`without`); on a cause
// said too weakly to count, the metric policy of the symptom acts (`symptom`).
const CASES: {
  policy: string;
  cause: string;
  metrics: Record<string, number>;
  without: string | null;
  symptom: string | null;
}[] = [
  {
    policy: 'Circuit Breaker On Dependency Failure',
    cause: 'dependency-failure',
    metrics: { latency_p99: 2000, error_rate: 0.4, throughput: 1000, cpu_util: 0.2 },
    without: 'High Error Rate',
    symptom: 'Critical Latency Spike',
  },
  {
    policy: 'Bad Deploy Rollback',
    cause: 'bad-deploy',
    metrics: { latency_p99: 700, error_rate: 0.05, throughput: 1000, memory_util: 0.95 },
    without: 'Critical Latency Spike',
    symptom: 'Critical Latency Spike',
  },
  {
    policy: 'Restart On Pool Exhaustion',
    cause: 'connection-pool-exhaustion',
    metrics: { latency_p99: 400, db_pool_utilization: 1, throughput: 1000 },
    without: null,
    symptom: 'Moderate Latency',
  },
  {
    policy: 'Restart On Memory Leak',
    cause: 'memory-leak',
    metrics: { latency_p99: 400, memory_util: 0.92, cpu_util: 0.3, throughput: 1000 },
    without: null,
    symptom: 'Moderate Latency',
  },
  {
    policy: 'Restart On Hang',
    cause: 'deadlock-hang',
    metrics: { latency_p99: 450, throughput: 600, cpu_util: 0.03 },
    without: null,
    symptom: 'Moderate Latency',
  },
  {
    policy: 'Scale Up On Resource Exhaustion',
    cause: 'resource-exhaustion',
    metrics: { latency_p99: 250, cpu_util: 0.95, memory_util: 0.5, throughput: 1000 },
    without: null,
    symptom: null,
  },
  {
    policy: 'Scale Up On Traffic Spike',
    cause: 'traffic-spike',
    metrics: { latency_p99: 250, cpu_util: 0.7, throughput: 6000 },
    without: null,
    symptom: null,
  },
];

describe('policies/causes.yaml: act on a sure diagnosis before the symptom’s metric policy', () => {
  for (const c of CASES)
    it(`${c.policy} acts on ${c.cause}; without it ${c.without ?? 'nothing'} would`, () => {
      expect(firstActing(WITH_CAUSES, c.metrics, c.cause)).toBe(c.policy);
      expect(firstActing(SHIPPED, c.metrics, c.cause)).toBe(c.without);
    });

  it('holds for 10 s like the five: two scrapes of a sure cause act on nothing', () => {
    for (const c of CASES) expect(firstActing(WITH_CAUSES, c.metrics, c.cause, 2)).toBeNull();
  });

  it('a cause said with less than 0.55 is left to the metric policies', () => {
    for (const c of CASES)
      expect(firstActing(WITH_CAUSES, c.metrics, c.cause, 4, 0.52)).toBe(c.symptom);
    const mine = WITH_CAUSES.filter((p) => !SHIPPED.some((s) => s.name === p.name));
    expect(mine.map((p) => p.name).sort()).toEqual(CASES.map((c) => c.policy).sort());
  });

  it('never acts on the bench’s single outliers (every seed, both splits)', () => {
    const detector = resolveDetectorConfig();
    for (const seed of [...SEEDS.tune, ...SEEDS.holdout]) {
      const run = runScenario(healthyScenario(seed, 'tune', true), {
        policies: WITH_CAUSES,
        detector,
        flush: 'scrape',
      });
      expect([seed, run.outliers > 10, run.healthyActions]).toEqual([seed, true, 0]);
    }
  }, 60_000);

  // A hold carries over an incident that re-opens within 30 s of a resolution (holdCarryMs):
  // single outliers 20 s apart open and resolve one incident after another, well within it.
  it('never acts on single outliers 20 s apart, each of a metric some policy reads', () => {
    const detector = resolveDetectorConfig();
    const bad: [string, (r: () => number) => number][] = [
      ['latency_p99', (r) => 501 + r() * 4500],
      ['error_rate', (r) => 0.16 + r() * 0.84],
      ['throughput', (r) => r() * 499],
      ['cpu_util', (r) => 0.91 + r() * 0.09],
      ['memory_util', (r) => 0.86 + r() * 0.14],
    ];
    for (const seed of [...SEEDS.tune, ...SEEDS.holdout]) {
      const full = healthyScenario(seed, 'tune', false);
      // The first 65 minutes: the 30-minute warm-up, half an hour of outliers, five calm minutes.
      const end = BENCH_T0 + 65 * 60_000;
      const scenario = { ...full, samples: full.samples.filter((x) => x.timestamp < end) };
      const rand = rng(seed);
      let outliers = 0;
      for (const sample of scenario.samples) {
        const scrape = (sample.timestamp - BENCH_T0) / STEP_MS;
        if (scrape < 360 || scrape > 720 || scrape % 4 !== 0) continue; // 30 to 60 minutes in
        const [metric, value] = bad[(scrape / 4) % bad.length] ?? bad[0]!;
        if (sample.metric !== metric) continue;
        sample.value = value(rand);
        outliers++;
      }
      const run = runScenario(
        { ...scenario, kind: 'outliers', outliers },
        { policies: WITH_CAUSES, detector, flush: 'scrape' },
      );
      expect([seed, run.outliers > 80, run.falseIncidents > 20, run.healthyActions]).toEqual([
        seed,
        true,
        true,
        0,
      ]);
    }
  }, 60_000);
});
