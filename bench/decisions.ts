/**
 * Decisions per second of the healing core on one core: `decide` over a stream of diagnoses for
 * one partition's components (the five default policies, outcomes folded back with
 * `applyOutcome`), beside a baseline in the same run — a JSON round trip of the same state per
 * decision, which the policy-evaluator pays anyway to write its changelog — so the figure reads
 * as a ratio on any machine. Median of several runs.
 *
 *   bash scripts/toolchain.sh pnpm bench:decisions
 */
import { readFileSync } from 'node:fs';
import type { Diagnosis, HealingCommand } from '@healstream/contracts';
import {
  applyOutcome,
  decide,
  emptyState,
  parsePolicies,
  resolveDecisionConfig,
  type EvaluatorState,
} from '@healstream/core';

const DECISIONS = 20_000;
const RUNS = 5;
const COMPONENTS = 12;
const T0 = Date.UTC(2026, 2, 1);

const policies = parsePolicies(
  readFileSync(new URL('../policies/default.yaml', import.meta.url), 'utf8'),
  'policies/default.yaml',
);
const config = resolveDecisionConfig({
  partitionCount: 12,
  fleetPerMinute: 6000,
  fleetPerHour: 100_000,
});

/** A fixed-seed mix of latency spikes, error storms, saturation and drops over 12 components. */
function diagnoses(n: number): Diagnosis[] {
  let x = 7;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, i) => {
    const at = T0 + i * 1000;
    const c = i % COMPONENTS;
    const metrics = {
      latency_p99: 100 + rand() * 700,
      error_rate: rand() * 0.3,
      throughput: 50 + rand() * 1000,
      cpu_util: 0.5 + rand() * 0.5,
      memory_util: 0.5 + rand() * 0.5,
    };
    return {
      eventId: `e${i}`,
      incidentId: `c${c}-${Math.floor(i / (COMPONENTS * 40))}`,
      component: `c${c}`,
      // Each incident gets 40 diagnoses, the last of which resolves it.
      kind: Math.floor(i / COMPONENTS) % 40 === 39 ? 'RESOLVED' : 'ANOMALY',
      severity: 'CRITICAL',
      detectedAt: at,
      diagnosedAt: at,
      snapshot: Object.entries(metrics).map(([metric, value]) => ({
        metric,
        value,
        observedAt: at,
      })),
      anomalies: [],
      labels: {},
      forecasts: [],
      causes: [],
    };
  });
}

function decidePass(stream: Diagnosis[]): { verdicts: Map<string, number>; state: EvaluatorState } {
  let state = emptyState();
  const verdicts = new Map<string, number>();
  const pending = new Map<string, HealingCommand>();
  for (const diagnosis of stream) {
    const now = diagnosis.diagnosedAt;
    const waiting = pending.get(diagnosis.component);
    if (waiting && now - waiting.issuedAt >= 5000) {
      const recovered = waiting.attempt % 2 === 0;
      state = applyOutcome(
        state,
        {
          commandId: waiting.commandId,
          incidentId: waiting.incidentId,
          component: waiting.component,
          policy: waiting.policy.name,
          attempt: waiting.attempt,
          mode: 'ENFORCE',
          actions: [],
          verification: recovered ? 'RECOVERED' : 'NOT_RECOVERED',
          verificationDetail: '',
          startedAt: waiting.issuedAt,
          finishedAt: now,
        },
        now,
        config,
      );
      pending.delete(diagnosis.component);
    }
    const result = decide({ diagnosis, state, policies, config, now });
    state = result.state;
    verdicts.set(result.decision.verdict, (verdicts.get(result.decision.verdict) ?? 0) + 1);
    for (const c of result.commands) if (c.mode === 'ENFORCE') pending.set(c.component, c);
  }
  return { verdicts, state };
}

/** The baseline: one JSON round trip of a same-sized state per decision. */
function jsonPass(stream: Diagnosis[], state: EvaluatorState): number {
  let size = 0;
  let s = state;
  for (let i = 0; i < stream.length; i++) {
    const text = JSON.stringify(s);
    size += text.length;
    s = JSON.parse(text) as EvaluatorState;
  }
  return size;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function time(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const stream = diagnoses(DECISIONS);
const warm = decidePass(stream.slice(0, 5000));
const decideRates: number[] = [];
const jsonRates: number[] = [];
let last = warm;
for (let r = 0; r < RUNS; r++) {
  decideRates.push(DECISIONS / time(() => (last = decidePass(stream))));
  jsonRates.push(DECISIONS / time(() => jsonPass(stream, last.state)));
}
const decisions = median(decideRates);
const json = median(jsonRates);
const stateBytes = JSON.stringify(last.state).length;
console.log(
  `decisions/s (decide + applyOutcome, ${policies.length} policies, ${COMPONENTS} components): ${Math.round(decisions).toLocaleString('en')}`,
);
console.log(
  `baseline: JSON round trip of the state (${stateBytes} bytes) per decision: ${Math.round(json).toLocaleString('en')}/s`,
);
console.log(
  `ratio decide / JSON round trip: ${(decisions / json).toFixed(2)} (median of ${RUNS} runs of ${DECISIONS.toLocaleString('en')})`,
);
console.log(`verdicts in one run: ${[...last.verdicts].map(([v, n]) => `${v} ${n}`).join(', ')}`);
