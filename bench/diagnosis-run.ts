/** One scenario through detect → diagnose → decide, and the bench's figures over many. */
import type { Diagnosis, HealingCommand, ReliabilityEvent } from '@healstream/contracts';
import {
  applyOutcome,
  decide,
  detect,
  diagnose,
  emptyState,
  isClearedEvent,
  isProvisionalDiagnosis,
  refreshEvent,
  releaseScrape,
  scrapeComplete,
  resolveDecisionConfig,
  withheld,
  type ComponentDetectorState,
  type DetectorConfig,
  type Policy,
} from '@healstream/core';
import { FAULT_CLASSES, type Scenario, type ScenarioKind } from './diagnosis-scenarios.js';
import { forecastTracker, mergeTallies, type ForecastTally } from './forecast-error.js';

/** `none`: each event is diagnosed as it is detected; `scrape`: once its scrape is complete. */
export type FlushMode = 'none' | 'scrape';

/** `hold`: the diagnoser publishes no withheld diagnosis (a young incident's provisional unknown). */
export type ProvisionalMode = 'hold' | 'publish';

export interface ScenarioResult {
  id: string;
  kind: ScenarioKind;
  fault: string | null;
  expectedCause: string | null;
  params: string;
  /** Top cause of the first (non-cleared) diagnosis at or after the fault's start. */
  causeFirst: string | null;
  confidenceFirst: number | null;
  /** Top cause of the first settled diagnosis in the fault (a provisional `unknown` skipped). */
  causeSettled: string | null;
  /** First diagnosis in the fault → first settled one, event time. */
  settledAfterMs: number | null;
  /** Top cause of the diagnosis the first command in the fault was issued on. */
  causeAtAction: string | null;
  firstPolicy: string | null;
  policyRight: boolean;
  /** Fault start → first command by a right policy, event time. */
  toRightMs: number | null;
  /** Fault start → the fault's first incident (ANOMALY event), event time. */
  toDetectedMs: number | null;
  /** Fault start → the first published diagnosis naming the expected cause first. */
  toRightCauseMs: number | null;
  falseIncidents: number;
  healthyActions: number;
  healthyHours: number;
  outliers: number;
  /** Forecast error of the trend models, per horizon and phase. */
  forecast: ForecastTally[];
  /** Every diagnosis naming a catalogued cause first: per bucket, [named, right]. */
  named: [number, number][];
  /**
   * Every catalogued cause listed in a published ANOMALY diagnosis, by `first|confidence` (the
   * cause named first) or `other|confidence`: [listed, right]. What the calibration is fitted on
   * (with `raw`) and judged by.
   */
  listed: Record<string, [number, number]>;
}

const OUTCOME_DELAY_MS = 10_000;

const BUCKETS = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01];
const bucketOf = (confidence: number) =>
  Math.max(0, BUCKETS.findIndex((hi) => confidence < hi) - 1);
const bucketName = (i: number) =>
  `${(BUCKETS[i] ?? 0).toFixed(1)}–${Math.min(BUCKETS[i + 1] ?? 1, 1).toFixed(1)}`;

export function runScenario(
  scenario: Scenario,
  options: {
    policies: readonly Policy[];
    detector: DetectorConfig;
    flush: FlushMode;
    /** `hold` (the diagnoser's way): a withheld diagnosis is not published; `publish`: it is. */
    provisional?: ProvisionalMode;
    /** The rules' raw match strengths instead of calibrated confidences (to fit the tables). */
    raw?: boolean;
  },
): ScenarioResult {
  const { detector, policies } = options;
  const decision = resolveDecisionConfig({ partitionCount: 1 });
  const faultStart = scenario.faultStart ?? Infinity;
  let detState: ComponentDetectorState | undefined;
  let evaluator = emptyState();
  let held: ReliabilityEvent[] = [];
  let pending: HealingCommand[] = [];
  const incidents = new Set<string>();
  const result: ScenarioResult = {
    id: scenario.id,
    kind: scenario.kind,
    fault: scenario.fault?.name ?? null,
    expectedCause: scenario.fault?.cause ?? null,
    params: `noise=${scenario.params.noise} ramp=${scenario.params.rampMs / 1000}s order=${scenario.params.metricsOrder}`,
    causeFirst: null,
    confidenceFirst: null,
    causeSettled: null,
    settledAfterMs: null,
    causeAtAction: null,
    firstPolicy: null,
    policyRight: false,
    toRightMs: null,
    toDetectedMs: null,
    toRightCauseMs: null,
    falseIncidents: 0,
    healthyActions: 0,
    healthyHours: scenario.healthyHours,
    outliers: scenario.outliers,
    forecast: [],
    named: BUCKETS.slice(0, -1).map(() => [0, 0]),
    listed: {},
  };
  const forecasts = forecastTracker(detector, faultStart);
  const cures = new Set(scenario.fault?.cures ?? []);
  const right = (command: HealingCommand) => command.actions.some((a) => cures.has(a.name));

  const settle = (until: number) => {
    // The data goes on with the fault whatever was done: every outcome is NOT_RECOVERED.
    for (const c of pending.filter((p) => p.issuedAt + OUTCOME_DELAY_MS <= until)) {
      const at = c.issuedAt + OUTCOME_DELAY_MS;
      evaluator = applyOutcome(
        evaluator,
        {
          commandId: c.commandId,
          incidentId: c.incidentId,
          component: c.component,
          policy: c.policy.name,
          attempt: c.attempt,
          mode: c.mode,
          actions: c.actions.map((a) => ({
            name: a.name,
            status: 'SUCCEEDED',
            durationMs: OUTCOME_DELAY_MS,
            error: null,
            detail: null,
          })),
          verification: 'NOT_RECOVERED',
          verificationDetail: 'bench: the fault goes on',
          startedAt: c.issuedAt,
          finishedAt: at,
        },
        at,
        decision,
      );
    }
    pending = pending.filter((p) => p.issuedAt + OUTCOME_DELAY_MS > until);
  };

  let firstAt = 0;
  const handle = (event: ReliabilityEvent) => {
    const at = event.detectedAt;
    if (event.kind === 'ANOMALY' && !incidents.has(event.incidentId)) {
      incidents.add(event.incidentId);
      if (at < faultStart) result.falseIncidents++;
    }
    const diagnosis: Diagnosis = diagnose(event, at, {
      staleAfterMs: detector.staleAfterMs,
      ...(options.raw ? { calibration: null } : {}),
    });
    // What is not published reaches no one: not the figures, not the evaluator.
    if ((options.provisional ?? 'hold') === 'hold' && withheld(diagnosis)) return;
    const top = diagnosis.causes[0];
    const inFault = at >= faultStart;
    // Outside a fault (healthy data, a single outlier) every catalogued cause is wrong.
    if (top && top.cause !== 'unknown' && event.kind === 'ANOMALY') {
      const tally = result.named[bucketOf(top.confidence)];
      if (tally) {
        tally[0]++;
        if (inFault && top.cause === scenario.fault?.cause) tally[1]++;
      }
    }
    if (event.kind === 'ANOMALY')
      diagnosis.causes.forEach((c, i) => {
        if (c.cause === 'unknown') return;
        const key = `${i === 0 ? 'first' : 'other'}|${c.confidence}`;
        const tally = (result.listed[key] ??= [0, 0]);
        tally[0]++;
        if (inFault && c.cause === scenario.fault?.cause) tally[1]++;
      });
    if (
      inFault &&
      result.causeFirst === null &&
      event.kind === 'ANOMALY' &&
      !isClearedEvent(event)
    ) {
      result.causeFirst = top?.cause ?? null;
      result.confidenceFirst = top?.confidence ?? null;
      result.toDetectedMs = at - faultStart;
      firstAt = at;
    }
    if (
      inFault &&
      result.toRightCauseMs === null &&
      event.kind === 'ANOMALY' &&
      top?.cause === scenario.fault?.cause
    )
      result.toRightCauseMs = at - faultStart;
    if (
      result.causeFirst !== null &&
      result.causeSettled === null &&
      !isClearedEvent(event) &&
      !isProvisionalDiagnosis(diagnosis)
    ) {
      result.causeSettled = top?.cause ?? null;
      result.settledAfterMs = at - firstAt;
    }
    const out = decide({ diagnosis, state: evaluator, policies, config: decision, now: at });
    evaluator = out.state;
    for (const command of out.commands) {
      if (command.mode !== 'ENFORCE') continue;
      pending.push(command);
      if (!inFault) {
        result.healthyActions++;
        continue;
      }
      if (result.firstPolicy === null) {
        result.firstPolicy = command.policy.name;
        result.causeAtAction = top?.cause ?? null;
        result.policyRight = right(command);
      }
      if (result.toRightMs === null && right(command)) result.toRightMs = at - faultStart;
    }
  };

  const releaseAll = () => {
    for (const e of held) handle(detState ? refreshEvent(e, detState, detector) : e);
    held = [];
  };

  for (const sample of scenario.samples) {
    settle(sample.timestamp);
    if (options.flush === 'scrape') {
      const { release, keep } = releaseScrape(held, sample);
      held = keep;
      for (const e of release) handle(detState ? refreshEvent(e, detState, detector) : e);
    }
    const out = detect(detState, sample, detector);
    detState = out.state;
    forecasts.observe(sample, detState);
    if (options.flush === 'scrape') {
      held.push(...out.events);
      // A scrape whose every metric is in waits no longer.
      const done = held.filter((e) => scrapeComplete(e, detState, detector));
      held = held.filter((e) => !done.includes(e));
      for (const e of done) handle(refreshEvent(e, out.state, detector));
    } else for (const e of out.events) handle(e);
  }
  releaseAll();
  result.forecast = forecasts.tallies();
  return result;
}

export interface ClassSummary {
  name: string;
  n: number;
  causeFirstRight: number;
  causeAtActionRight: number;
  policyRight: number;
  medianToRightMs: number | null;
  /** Where that time goes: fault → first incident, fault → first right cause named. */
  medianToDetectedMs: number | null;
  medianToRightCauseMs: number | null;
}

export interface Summary {
  faults: number;
  causeFirstRight: number;
  causeSettledRight: number;
  medianSettledAfterMs: number | null;
  causeAtActionRight: number;
  policyRight: number;
  noAction: number;
  falseIncidents: number;
  healthyHours: number;
  falseIncidentsPerHour: number;
  healthyActions: number;
  outliers: number;
  outlierActions: number;
  medianToRightMs: number | null;
  medianToRightAllMs: number | null;
  classes: ClassSummary[];
  /** Catalogued causes only: `unknown` (said with 1 − best) is counted apart. */
  calibration: { bucket: string; n: number; right: number }[];
  /** The same over every diagnosis that names a catalogued cause first (any scenario). */
  calibrationAll: { bucket: string; n: number; right: number }[];
  /** First diagnoses that were `unknown`, and how many of those faults have no catalogued cause. */
  unknownFirst: { n: number; right: number };
  /** First settled diagnoses that were `unknown`, and how many of those were right. */
  unknownSettled: { n: number; right: number };
  forecast: ForecastTally[];
  /** Reliability of every listed cause, per said confidence, and the expected calibration error. */
  reliability: Reliability;
  /** The same error over the first diagnosis of each fault that names a catalogued cause. */
  eceFirstDiagnosis: number;
}

export interface Reliability {
  /** Per group (`first`, `other`) and confidence: listed, right. */
  rows: { group: string; confidence: number; n: number; right: number }[];
  /** Σ n/N · |right/n − confidence| over the rows of the cause named first, of the others, of all. */
  ece: { first: number; other: number; all: number };
}

/** Sums the `listed` tallies of many scenarios into reliability rows and their ECE. */
export function reliabilityOf(results: readonly ScenarioResult[]): Reliability {
  const sums = new Map<string, [number, number]>();
  for (const r of results)
    for (const [key, [n, right]] of Object.entries(r.listed)) {
      const t = sums.get(key) ?? [0, 0];
      sums.set(key, [t[0] + n, t[1] + right]);
    }
  const rows = [...sums]
    .map(([key, [n, right]]) => {
      const [group = '', confidence = '0'] = key.split('|');
      return { group, confidence: Number(confidence), n, right };
    })
    .sort((a, b) => a.group.localeCompare(b.group) || a.confidence - b.confidence);
  const ece = (of: typeof rows) => {
    const total = of.reduce((n, r) => n + r.n, 0);
    return total === 0
      ? 0
      : of.reduce((e, r) => e + (r.n / total) * Math.abs(r.right / r.n - r.confidence), 0);
  };
  return {
    rows,
    ece: {
      first: ece(rows.filter((r) => r.group === 'first')),
      other: ece(rows.filter((r) => r.group === 'other')),
      all: ece(rows),
    },
  };
}

/** Σ n/N · |right/n − confidence| over the first diagnoses, grouped by the confidence said. */
function eceOfFirst(named: readonly ScenarioResult[]): number {
  const groups = new Map<number, [number, number]>();
  for (const r of named) {
    if (r.confidenceFirst === null) continue;
    const g = groups.get(r.confidenceFirst) ?? [0, 0];
    groups.set(r.confidenceFirst, [g[0] + 1, g[1] + (r.causeFirst === r.expectedCause ? 1 : 0)]);
  }
  const total = [...groups.values()].reduce((n, [c]) => n + c, 0);
  let ece = 0;
  for (const [confidence, [n, right]] of groups)
    ece += (n / total) * Math.abs(right / n - confidence);
  return total === 0 ? 0 : ece;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)] ?? null;
  return mid === Infinity ? null : mid;
}

export function summarise(results: readonly ScenarioResult[]): Summary {
  const faults = results.filter((r) => r.kind === 'fault');
  const healthy = results.filter((r) => r.kind !== 'outliers');
  const outliers = results.filter((r) => r.kind === 'outliers');
  const causeRight = (r: ScenarioResult, cause: string | null) => cause === r.expectedCause;
  const falseIncidents = healthy.reduce((n, r) => n + r.falseIncidents, 0);
  const healthyHours = healthy.reduce((n, r) => n + r.healthyHours, 0);
  const unknown = faults.filter((r) => r.causeFirst === 'unknown');
  const named = faults.filter((r) => r.causeFirst !== 'unknown');
  const times = faults.map((r) => r.toRightMs).filter((t): t is number => t !== null);
  return {
    faults: faults.length,
    causeFirstRight: faults.filter((r) => causeRight(r, r.causeFirst)).length,
    causeSettledRight: faults.filter((r) => causeRight(r, r.causeSettled)).length,
    medianSettledAfterMs: median(faults.map((r) => r.settledAfterMs ?? Infinity)),
    causeAtActionRight: faults.filter((r) => causeRight(r, r.causeAtAction ?? r.causeFirst)).length,
    policyRight: faults.filter((r) => r.policyRight).length,
    noAction: faults.filter((r) => r.firstPolicy === null).length,
    falseIncidents,
    healthyHours,
    falseIncidentsPerHour: healthyHours === 0 ? 0 : falseIncidents / healthyHours,
    healthyActions: healthy.reduce((n, r) => n + r.healthyActions, 0),
    outliers: outliers.reduce((n, r) => n + r.outliers, 0),
    outlierActions: outliers.reduce((n, r) => n + r.healthyActions, 0),
    medianToRightMs: median(times),
    medianToRightAllMs: median(faults.map((r) => r.toRightMs ?? Infinity)),
    classes: FAULT_CLASSES.map((c) => {
      const of = faults.filter((r) => r.fault === c.name);
      return {
        name: c.name,
        n: of.length,
        causeFirstRight: of.filter((r) => causeRight(r, r.causeFirst)).length,
        causeAtActionRight: of.filter((r) => causeRight(r, r.causeAtAction ?? r.causeFirst)).length,
        policyRight: of.filter((r) => r.policyRight).length,
        medianToRightMs: median(of.map((r) => r.toRightMs).filter((t): t is number => t !== null)),
        medianToDetectedMs: median(
          of.map((r) => r.toDetectedMs).filter((t): t is number => t !== null),
        ),
        medianToRightCauseMs: median(
          of.map((r) => r.toRightCauseMs).filter((t): t is number => t !== null),
        ),
      };
    }),
    calibration: BUCKETS.slice(0, -1).map((lo, i) => {
      const hi = BUCKETS[i + 1] ?? 1.01;
      const inBucket = named.filter(
        (r) => r.confidenceFirst !== null && r.confidenceFirst >= lo && r.confidenceFirst < hi,
      );
      return {
        bucket: bucketName(i),
        n: inBucket.length,
        right: inBucket.filter((r) => causeRight(r, r.causeFirst)).length,
      };
    }),
    calibrationAll: BUCKETS.slice(0, -1).map((_, i) => ({
      bucket: bucketName(i),
      n: results.reduce((n, r) => n + (r.named[i]?.[0] ?? 0), 0),
      right: results.reduce((n, r) => n + (r.named[i]?.[1] ?? 0), 0),
    })),
    unknownFirst: {
      n: unknown.length,
      right: unknown.filter((r) => causeRight(r, r.causeFirst)).length,
    },
    unknownSettled: {
      n: faults.filter((r) => r.causeSettled === 'unknown').length,
      right: faults.filter((r) => r.causeSettled === 'unknown' && causeRight(r, r.causeSettled))
        .length,
    },
    forecast: mergeTallies(results.map((r) => r.forecast)),
    reliability: reliabilityOf(results),
    eceFirstDiagnosis: eceOfFirst(named),
  };
}
