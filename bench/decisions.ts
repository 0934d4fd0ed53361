/**
 * Decisions per second of the healing core on one core: `decide` over a stream of diagnoses for
 * one partition's components (the five default policies, outcomes folded back with
 * `applyOutcome`), beside a baseline in the same run — a JSON round trip of the same state per
 * decision — so the figure reads as a ratio on any machine. Median of several runs.
 * Two paths over the same stream: the state keyed per component as the policy-evaluator keeps
 * it (EvaluatorStore: each decision on a view of its component, the changed keys serialized
 * as a transaction would every TXN decisions), and the whole partition state as one value.
 * An untimed pass prints digests of everything the keyed path decided (decisions, shadows,
 * commands, escalations as JSON) and of the changelog records it wrote, so a change to the core
 * can show that it decides and writes the same; the same pass is run again restoring the store
 * from its changelog every few transactions, as after a crash, and must decide the same.
 *
 *   bash scripts/toolchain.sh pnpm bench:decisions [--json]
 *
 * `--json` prints the same figures as one JSON object instead (what `pnpm bench` reads).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Diagnosis, HealingCommand, HealingOutcome } from '@healstream/contracts';
import {
  EvaluatorStore,
  applyOutcome,
  decide,
  emptyState,
  parsePolicies,
  resolveDecisionConfig,
  type EvaluatorState,
} from '@healstream/core';
import { PartitionState } from '@healstream/runtime';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
const DECISIONS = 20_000;
const RUNS = 5;
const COMPONENTS = 12;
const T0 = Date.UTC(2026, 2, 1);
/** Decisions per transaction of the keyed path: its changed keys are serialized once per TXN. */
const TXN = 50;

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

function outcomeOf(waiting: HealingCommand, now: number): HealingOutcome {
  return {
    commandId: waiting.commandId,
    incidentId: waiting.incidentId,
    component: waiting.component,
    policy: waiting.policy.name,
    attempt: waiting.attempt,
    mode: 'ENFORCE',
    actions: [],
    verification: waiting.attempt % 2 === 0 ? 'RECOVERED' : 'NOT_RECOVERED',
    verificationDetail: '',
    startedAt: waiting.issuedAt,
    finishedAt: now,
  };
}

interface Pass {
  verdicts: Map<string, number>;
  state: EvaluatorState | null;
  changelogBytes: number;
}

/** Transactions between two restores of the store from its changelog in the restore pass. */
const RESTORE_EVERY = 7;

/** One pass over the stream; `step` folds an outcome (or null) and decides the diagnosis. */
function pass(
  stream: Diagnosis[],
  step: (diagnosis: Diagnosis, outcome: HealingOutcome | null, now: number) => HealingCommand[],
): void {
  const pending = new Map<string, HealingCommand>();
  for (const diagnosis of stream) {
    const now = diagnosis.diagnosedAt;
    const waiting = pending.get(diagnosis.component);
    const due = waiting && now - waiting.issuedAt >= 5000 ? waiting : null;
    if (due) pending.delete(diagnosis.component);
    for (const c of step(diagnosis, due && outcomeOf(due, now), now))
      if (c.mode === 'ENFORCE') pending.set(c.component, c);
  }
}

const count = (verdicts: Map<string, number>, verdict: string) =>
  verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);

/** The whole partition as one state, as the policy-evaluator kept it before it was keyed. */
function wholePass(stream: Diagnosis[]): Pass {
  let state = emptyState();
  const verdicts = new Map<string, number>();
  pass(stream, (diagnosis, outcome, now) => {
    if (outcome) state = applyOutcome(state, outcome, now, config);
    const result = decide({ diagnosis, state, policies, config, now });
    state = result.state;
    count(verdicts, result.decision.verdict);
    return result.commands;
  });
  return { verdicts, state, changelogBytes: 0 };
}

/**
 * The state keyed per component, through the store the policy-evaluator uses; with `serialize`,
 * the changed keys go out as JSON every TXN decisions, as a transaction writes them.
 */
function keyedPass(stream: Diagnosis[], serialize = false): Pass {
  const memory = new PartitionState<unknown>(0, 'bench.state');
  const store = new EvaluatorStore(memory, config);
  store.open();
  const verdicts = new Map<string, number>();
  let changelogBytes = 0;
  const emit = (o: { raw?: Buffer | null }) => (changelogBytes += o.raw?.length ?? 0);
  let n = 0;
  pass(stream, (diagnosis, outcome, now) => {
    if (outcome) store.applyOutcome(outcome, now);
    const result = store.decide({ diagnosis, policies, config, now });
    count(verdicts, result.decision.verdict);
    if (++n % TXN === 0) {
      store.sweep();
      if (serialize) memory.beforeCommit(emit as never);
      memory.committed();
    }
    return result.commands;
  });
  return { verdicts, state: null, changelogBytes };
}

/**
 * The keyed path, untimed, hashing what it decides and the changelog records it writes; with
 * `restore`, every RESTORE_EVERY transactions the store is dropped and rebuilt from the
 * compacted changelog (each key's last record, parsed back), as a restarted evaluator does.
 */
function digestPass(stream: Diagnosis[], restore: boolean): { decided: string; written: string } {
  const decided = createHash('sha256');
  const written = createHash('sha256');
  const changelog = new Map<string, Buffer | null>();
  let memory = new PartitionState<unknown>(0, 'bench.state');
  let store = new EvaluatorStore(memory, config);
  store.open();
  const emit = (o: { key: string; raw: Buffer | null }) => {
    written.update(`${o.key}\u0000${o.raw?.toString() ?? '(deleted)'}\u0000`);
    changelog.set(o.key, o.raw);
  };
  let n = 0;
  pass(stream, (diagnosis, outcome, now) => {
    if (outcome) store.applyOutcome(outcome, now);
    const { decision, shadow, commands, escalations } = store.decide({
      diagnosis,
      policies,
      config,
      now,
    });
    decided.update(JSON.stringify({ decision, shadow, commands, escalations }));
    if (++n % TXN === 0) {
      store.sweep();
      memory.beforeCommit(emit as never);
      memory.committed();
      if (restore && (n / TXN) % RESTORE_EVERY === 0) {
        memory = new PartitionState<unknown>(0, 'bench.state');
        for (const [key, raw] of changelog)
          if (raw !== null) memory.load(key, JSON.parse(raw.toString()));
        store = new EvaluatorStore(memory, config);
        store.open();
      }
    }
    return commands;
  });
  return {
    decided: decided.digest('hex').slice(0, 16),
    written: written.digest('hex').slice(0, 16),
  };
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
const digests = digestPass(stream, false);
const restored = digestPass(stream, true);
wholePass(stream.slice(0, 5000));
keyedPass(stream.slice(0, 5000));
const keyedRates: number[] = [];
const writtenRates: number[] = [];
const wholeRates: number[] = [];
const jsonRates: number[] = [];
let whole: Pass | undefined;
let keyed: Pass | undefined;
for (let r = 0; r < RUNS; r++) {
  keyedRates.push(DECISIONS / time(() => keyedPass(stream)));
  writtenRates.push(DECISIONS / time(() => (keyed = keyedPass(stream, true))));
  wholeRates.push(DECISIONS / time(() => (whole = wholePass(stream))));
  jsonRates.push(DECISIONS / time(() => jsonPass(stream, whole!.state!)));
}
const rate = (values: number[]) => Math.round(median(values)).toLocaleString('en');
const json = median(jsonRates);
const stateBytes = JSON.stringify(whole!.state).length;
const same =
  JSON.stringify([...keyed!.verdicts].sort()) === JSON.stringify([...whole!.verdicts].sort());
const verdictsSame = same ? 'the same on both paths' : 'DIFFER between the paths';
const restoredOk = restored.decided === digests.decided;
const restoredSame = restoredOk ? 'the same' : 'DIFFER';
if (values.json) {
  const rounded = (xs: number[]) => Math.round(median(xs));
  console.log(
    JSON.stringify(
      {
        policies: policies.length,
        components: COMPONENTS,
        decisions: DECISIONS,
        runs: RUNS,
        keyedPerSecond: rounded(keyedRates),
        keyedSerializedPerSecond: rounded(writtenRates),
        wholeStatePerSecond: rounded(wholeRates),
        jsonRoundTripPerSecond: rounded(jsonRates),
        stateBytes,
        keyedToJsonRoundTrip: Number((median(keyedRates) / json).toFixed(2)),
        keyedRuns: keyedRates.map(Math.round),
        changelogBytesPerDecision: Math.round(keyed!.changelogBytes / DECISIONS),
        verdicts: Object.fromEntries(keyed!.verdicts),
        verdictsOnBothPaths: verdictsSame,
        digests: { ...digests, restoredDecided: restored.decided, restored: restoredSame },
      },
      null,
      2,
    ),
  );
} else {
  console.log(
    `decisions/s, state keyed per component (decide + applyOutcome through EvaluatorStore, ${policies.length} policies, ${COMPONENTS} components): ${rate(keyedRates)}`,
  );
  console.log(
    `decisions/s, keyed, with the changed keys serialized every ${TXN} decisions: ${rate(writtenRates)}`,
  );
  console.log(`decisions/s, the whole partition as one state: ${rate(wholeRates)}`);
  console.log(
    `baseline: JSON round trip of the whole state (${stateBytes} bytes) per decision: ${rate(jsonRates)}/s`,
  );
  console.log(
    `ratio keyed decide / JSON round trip: ${(median(keyedRates) / json).toFixed(2)}; keyed / whole: ${(median(keyedRates) / median(wholeRates)).toFixed(2)} (median of ${RUNS} runs of ${DECISIONS.toLocaleString('en')})`,
  );
  console.log(
    `changelog bytes per decision, keyed: ${Math.round(keyed!.changelogBytes / DECISIONS)} (the whole state was one ${stateBytes}-byte record per transaction)`,
  );
  console.log(
    `verdicts in one run${same ? ' (the same on both paths)' : ' — DIFFER between the paths'}: ${[...keyed!.verdicts].map(([v, n]) => `${v} ${n}`).join(', ')}`,
  );
  console.log(
    `digests of one keyed run: decisions ${digests.decided}, changelog records ${digests.written}; restored from the changelog every ${RESTORE_EVERY} transactions: decisions ${restored.decided}${restoredOk ? ' (the same)' : ' — DIFFER'}`,
  );
}
if (!same || !restoredOk) process.exitCode = 1;
