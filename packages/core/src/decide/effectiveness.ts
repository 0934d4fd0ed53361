/**
 * Policy effectiveness per policy × cause × component: of the attempts settled in the rolling
 * window, how many RECOVERED and stayed recovered (no incident of the same cause re-opened on
 * the component within stableMs). A RECOVERED attempt is pending until then; a re-open makes it
 * a failure, the quiet that follows makes it a success (pruneEffectiveness). A policy whose
 * rate is below the threshold after enough attempts acts in shadow for that cause on that
 * component, and one POLICY_DEMOTED page says so. The state is the component's own (partition
 * local), so demotion is per component: one component's bad luck never demotes a policy fleet-wide.
 */
import type { Escalation, HealingOutcome } from '@healstream/contracts';
import type { Candidate } from './evaluate.js';
import type { EffectivenessConfig } from './over-time-config.js';
import { causeLabel } from './flapping.js';
import { escalationIdFor } from './ids.js';
import type { PolicyRecord } from './over-time-state.js';
import type { EvaluatorState, IncidentLadder } from './state.js';
import type { Step } from './steps.js';

export interface EffectivenessStats {
  /** Settled attempts in the window (successes + failures). */
  attempts: number;
  successes: number;
  /** RECOVERED attempts still inside stableMs. */
  pending: number;
  /** successes / attempts; null before any attempt settled. */
  rate: number | null;
  demoted: boolean;
}

export interface EffectivenessRow extends EffectivenessStats {
  component: string;
  policy: string;
  cause: string;
}

export function statsOf(record: PolicyRecord, config: EffectivenessConfig): EffectivenessStats {
  let successes = 0;
  let failures = 0;
  let pending = 0;
  for (const a of record.attempts) {
    if (a.result === 'success') successes++;
    else if (a.result === 'failure') failures++;
    else pending++;
  }
  const attempts = successes + failures;
  const rate = attempts > 0 ? successes / attempts : null;
  const demoted = rate !== null && attempts >= config.minAttempts && rate < config.demoteBelow;
  return { attempts, successes, pending, rate, demoted };
}

/** An ENFORCE outcome counts as an attempt: RECOVERED is pending, anything else a failure. */
export function recordAttempt(
  state: EvaluatorState,
  incident: IncidentLadder,
  outcome: HealingOutcome,
  result: string,
  now: number,
  config: EffectivenessConfig,
): void {
  const byPolicy = (state.effectiveness[incident.component] ??= {});
  const byCause = (byPolicy[outcome.policy] ??= {});
  const record = byCause[incident.cause] ?? { attempts: [], demotedAt: null };
  // A redelivered outcome (after a crash) is the same attempt, not a new one.
  if (record.attempts.some((a) => a.commandId === outcome.commandId)) return;
  // Records are shared with the state this one was pruned from: replaced, never changed.
  const attempts = [
    ...record.attempts,
    {
      commandId: outcome.commandId,
      at: now,
      result: result === 'RECOVERED' ? ('pending' as const) : ('failure' as const),
    },
  ];
  if (attempts.length > config.maxAttempts)
    attempts.splice(0, attempts.length - config.maxAttempts);
  byCause[incident.cause] = { ...record, attempts };
}

/** The cause came back on the component: every cure of it still pending did not last. */
export function failPendingCures(state: EvaluatorState, component: string, cause: string): void {
  for (const byCause of Object.values(state.effectiveness[component] ?? {})) {
    const record = byCause[cause];
    if (!record?.attempts.some((a) => a.result === 'pending')) continue;
    byCause[cause] = {
      ...record,
      attempts: record.attempts.map((a) =>
        a.result === 'pending' ? { ...a, result: 'failure' as const } : a,
      ),
    };
  }
}

const percent = (rate: number | null) => (rate === null ? 'n/a' : `${Math.round(rate * 100)}%`);

function demotedEscalation(
  step: Step,
  incident: IncidentLadder,
  policy: string,
  stats: EffectivenessStats,
): Escalation {
  const { diagnosis, now } = step.input;
  const config = step.config.effectiveness;
  const cause = causeLabel(incident.cause);
  return {
    escalationId: escalationIdFor('demoted', incident.component, policy, incident.cause, now),
    source: 'POLICY_DEMOTED',
    incidentId: diagnosis.incidentId,
    component: incident.component,
    severity: 'WARNING',
    summary:
      `${policy} demoted to shadow for ${cause} on ${incident.component}: ` +
      `${stats.successes} of ${stats.attempts} healings stayed recovered (${percent(stats.rate)} < ${percent(config.demoteBelow)})`,
    details:
      `success = RECOVERED and no re-open of ${cause} within ${Math.round(config.stableMs / 60_000)}m; ` +
      `window ${Math.round(config.windowMs / 3_600_000)}h, demoted after ${config.minAttempts} attempts; ` +
      `the policy is back in force once its failures leave the window`,
    actionsTried: [],
    channel: '',
    dedupKey: `healstream/policy-demoted/${incident.component}/${policy}/${incident.cause}`,
    status: 'TRIGGERED',
    createdAt: now,
    links: [],
  };
}

/**
 * Candidates whose policy has stopped curing this incident's cause on this component act in
 * shadow (recorded, not dispatched), with the figures in their reason; the first decision to
 * find a policy demoted pages once.
 */
export function demoteIneffective(
  step: Step,
  incident: IncidentLadder,
  candidates: readonly Candidate[],
): Candidate[] {
  const config = step.config.effectiveness;
  const byPolicy = step.state.effectiveness[incident.component];
  if (!byPolicy) return [...candidates];
  return candidates.map((c) => {
    const byCause = byPolicy[c.policy.name];
    const record = byCause?.[incident.cause];
    if (!byCause || !record || c.policy.mode !== 'enforce') return c;
    const stats = statsOf(record, config);
    if (!stats.demoted) {
      if (record.demotedAt !== null) byCause[incident.cause] = { ...record, demotedAt: null };
      return c;
    }
    if (record.demotedAt === null) {
      byCause[incident.cause] = { ...record, demotedAt: step.input.now };
      step.escalations.push(demotedEscalation(step, incident, c.policy.name, stats));
    }
    c.entry.reason = `${c.entry.reason}; demoted to shadow for ${causeLabel(incident.cause)}: ${stats.successes}/${stats.attempts} stayed recovered (${percent(stats.rate)} < ${percent(config.demoteBelow)})`;
    return { ...c, policy: { ...c.policy, mode: 'shadow' as const } };
  });
}

/** The component's table, one row per policy × cause, sorted: what the topic and metrics carry. */
export function effectivenessRows(
  state: EvaluatorState,
  component: string,
  config: EffectivenessConfig,
): EffectivenessRow[] {
  const rows: EffectivenessRow[] = [];
  for (const [policy, byCause] of Object.entries(state.effectiveness[component] ?? {}))
    for (const [cause, record] of Object.entries(byCause))
      rows.push({ component, policy, cause, ...statsOf(record, config) });
  return rows.sort((a, b) =>
    a.policy === b.policy ? (a.cause < b.cause ? -1 : 1) : a.policy < b.policy ? -1 : 1,
  );
}
