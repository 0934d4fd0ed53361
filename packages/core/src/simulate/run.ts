import { outcomeFor } from '@healstream/contracts';
import type {
  Diagnosis,
  Escalation,
  HealingCommand,
  HealingDecision,
  HealingOutcome,
  ReliabilityEvent,
} from '@healstream/contracts';
import type { ComponentRegistry } from '../components/registry.js';
import { applyOutcome } from '../decide/apply-outcome.js';
import { resolveDecisionConfig, type DecisionConfig } from '../decide/config.js';
import { decide } from '../decide/decide.js';
import { emptyState } from '../decide/state.js';
import type { DetectorConfig } from '../detect/config.js';
import type { ScorerFactory } from '../detect/detect.js';
import { detectRecord, type DetectorEntry } from '../detect/partition.js';
import { isTick } from '../detect/silence.js';
import { diagnose } from '../diagnose/diagnose.js';
import { withheld } from '../diagnose/provisional.js';
import type { Policy } from '../policy/types.js';
import type { OutcomeRule, SimulationInput } from './input.js';

export type TimelineEntry =
  | { at: number; kind: 'event'; event: ReliabilityEvent }
  | { at: number; kind: 'diagnosis'; diagnosis: Diagnosis }
  | { at: number; kind: 'decision'; decision: HealingDecision }
  | { at: number; kind: 'command'; command: HealingCommand }
  | { at: number; kind: 'outcome'; outcome: HealingOutcome }
  | { at: number; kind: 'escalation'; escalation: Escalation };

export interface IncidentSummary {
  incidentId: string;
  component: string;
  openedAt: number;
  resolvedAt: number | null;
  /** `policy: result` per dispatched command, in order. */
  actions: string[];
  escalated: boolean;
}

export interface SimulationResult {
  timeline: TimelineEntry[];
  incidents: IncidentSummary[];
}

export interface SimulationOptions {
  policies: readonly Policy[];
  components?: ComponentRegistry | null;
  detector: DetectorConfig;
  /** Defaults to one partition: the simulated fleet is one evaluator, the budget is all its own. */
  decision?: DecisionConfig;
  scorerFactory?: ScorerFactory;
  /** Virtual time between a command and its outcome. */
  outcomeDelayMs?: number;
}

function ruleFor(rules: readonly OutcomeRule[], command: HealingCommand): OutcomeRule | undefined {
  return rules.find(
    (r) =>
      (r.component === undefined || r.component === command.component) &&
      (r.policy === undefined || r.policy === command.policy.name) &&
      (r.attempt === undefined || r.attempt === command.attempt),
  );
}

/** Without a rule, every action succeeds (alert-oncall is delegated) and the component recovers. */
function simulatedOutcome(
  command: HealingCommand,
  rule: OutcomeRule | undefined,
  finishedAt: number,
): HealingOutcome {
  const status = rule?.status ?? 'SUCCEEDED';
  return outcomeFor(command, {
    actions: command.actions.map((a, i) => ({
      name: a.name,
      status:
        a.name === 'alert-oncall' && status === 'SUCCEEDED'
          ? 'DELEGATED'
          : i === 0
            ? status
            : status === 'SUCCEEDED'
              ? 'SUCCEEDED'
              : 'SKIPPED',
      durationMs: finishedAt - command.issuedAt,
      error: status === 'SUCCEEDED' || i > 0 ? null : `simulated ${status}`,
      detail: null,
    })),
    verification: status === 'SUCCEEDED' ? (rule?.verification ?? 'RECOVERED') : 'NOT_RECOVERED',
    verificationDetail: rule
      ? 'from an outcome rule in the input'
      : 'simulated: succeeded and recovered',
    startedAt: command.issuedAt,
    finishedAt,
  });
}

/**
 * Replays a recorded stream through detection → diagnosis → decisions on a virtual clock that
 * follows the samples' timestamps. Samples are taken in file order; the clock never goes back.
 */
export function runSimulation(
  input: SimulationInput,
  options: SimulationOptions,
): SimulationResult {
  const decisionConfig = options.decision ?? resolveDecisionConfig({ partitionCount: 1 });
  const delay = options.outcomeDelayMs ?? 10_000;
  const timeline: TimelineEntry[] = [];
  // The simulated fleet is one detector partition: its clock is the samples' timestamps.
  const detectors = new Map<string, DetectorEntry>();
  const store = {
    get: (k: string) => detectors.get(k),
    set: (k: string, v: DetectorEntry) => void detectors.set(k, v),
    delete: (k: string) => void detectors.delete(k),
    keys: () => [...detectors.keys()],
  };
  const checkEveryMs = options.detector.silence.checkEveryMs;
  const incidents = new Map<string, IncidentSummary>();
  let state = emptyState();
  let pending: HealingOutcome[] = [];
  let clock = 0;

  const settle = (until: number) => {
    const due = pending
      .filter((o) => o.finishedAt <= until)
      .sort((a, b) => a.finishedAt - b.finishedAt);
    pending = pending.filter((o) => o.finishedAt > until);
    for (const outcome of due) {
      state = applyOutcome(state, outcome, outcome.finishedAt, decisionConfig);
      timeline.push({ at: outcome.finishedAt, kind: 'outcome', outcome });
      const summary = incidents.get(outcome.incidentId);
      const result =
        outcome.verification === 'RECOVERED'
          ? 'RECOVERED'
          : outcome.actions.some((a) => a.status === 'FAILED' || a.status === 'TIMED_OUT')
            ? 'FAILED'
            : outcome.verification;
      if (summary) summary.actions.push(`${outcome.policy}: ${result}`);
    }
  };

  // A quiet stretch (a tick line) is ticked through as the detector service ticks a quiet partition.
  const records = input.samples.flatMap((sample, i) => {
    const before = input.samples[i - 1]?.timestamp;
    if (!isTick(sample) || before === undefined) return [sample];
    const ticks = [];
    for (let t = before + checkEveryMs; t < sample.timestamp; t += checkEveryMs)
      ticks.push({ ...sample, timestamp: t });
    return [...ticks, sample];
  });
  for (const sample of records) {
    clock = Math.max(clock, sample.timestamp);
    settle(clock);
    const { events, requests } = detectRecord(
      store,
      sample,
      sample.timestamp,
      0,
      options.detector,
      options.scorerFactory,
    );
    for (const escalation of requests) timeline.push({ at: clock, kind: 'escalation', escalation });
    for (const event of events) {
      timeline.push({ at: clock, kind: 'event', event });
      if (!incidents.has(event.incidentId)) {
        incidents.set(event.incidentId, {
          incidentId: event.incidentId,
          component: event.component,
          openedAt: clock,
          resolvedAt: null,
          actions: [],
          escalated: false,
        });
      }
      const summary = incidents.get(event.incidentId);
      if (summary && event.kind === 'RESOLVED') summary.resolvedAt = clock;
      const diagnosis = diagnose(event, clock, { staleAfterMs: options.detector.staleAfterMs });
      // As the diagnoser does: a young incident's provisional unknown is not published.
      if (withheld(diagnosis)) continue;
      if (event.kind !== 'RESOLVED') timeline.push({ at: clock, kind: 'diagnosis', diagnosis });
      const result = decide({
        diagnosis,
        state,
        policies: options.policies,
        components: options.components,
        config: decisionConfig,
        now: clock,
      });
      state = result.state;
      if (result.shadow) timeline.push({ at: clock, kind: 'decision', decision: result.shadow });
      timeline.push({ at: clock, kind: 'decision', decision: result.decision });
      for (const command of result.commands) {
        timeline.push({ at: clock, kind: 'command', command });
        if (command.mode === 'ENFORCE')
          pending.push(
            simulatedOutcome(command, ruleFor(input.outcomeRules, command), clock + delay),
          );
      }
      for (const escalation of result.escalations) {
        timeline.push({ at: clock, kind: 'escalation', escalation });
        if (summary && escalation.source === 'LADDER_EXHAUSTED') summary.escalated = true;
      }
    }
  }
  settle(Infinity);
  return { timeline, incidents: [...incidents.values()] };
}
