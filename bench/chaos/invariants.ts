/**
 * The chaos suite's invariants, computed from what a scenario left behind: its output topics
 * (committed records only), the runbook's record of every call it got (the fleet's own record)
 * and the sink's record of every page. Pure: the same inputs give the same table.
 */
import { decisionIdFor } from '@healstream/core';
import type { TopicRecords } from './read.js';
import type { PoisonSent, RunbookCall, SinkPage } from './stack.js';

export interface Observed {
  records: TopicRecords;
  runbookCalls: RunbookCall[];
  sinkPages: SinkPage[];
  published: number;
  /** First anomalous sample (its timestamp) of each window, per component. */
  anomalies: { component: string; at: number }[];
  components: string[];
  /** When the last fault of the scenario cleared (epoch ms). */
  clearedAt: number;
  /** A component's next anomaly after the fault must be decided within this. */
  stuckAfterMs?: number;
  /** Instances that should run but had exited, or were not ready, at the end. */
  unhealthy?: string[];
  /** Poison records the workload sent (the broker took them). */
  poison?: PoisonSent[];
  /** Brokers of a cluster that were down while the others went on: each must see decisions. */
  outages?: Outage[];
}

/** A broker of a cluster down (epoch ms), the rest of the cluster serving. */
export interface Outage {
  what: string;
  from: number;
  to: number;
}

export interface InvariantRow {
  invariant: string;
  held: boolean;
  detail: string;
}

export interface Counts {
  published: number;
  diagnoses: number;
  decided: number;
  decisions: number;
  commands: number;
  actionsRun: number;
  outcomes: number;
  pages: number;
  deadLetters: number;
  poison: number;
}

export interface ScenarioTable {
  rows: InvariantRow[];
  counts: Counts;
  /** From the fault clearing to every component's next anomaly decided; null if one never was. */
  recoverSeconds: number | null;
  /** The slowest anomaly → decision after the fault cleared. */
  worstDecisionSeconds: number | null;
}

function tally<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
const repeated = (counts: Map<string, number>) => [...counts].filter(([, n]) => n > 1);

/**
 * The sink's calls in arrival order, folded as a receiver that merges by dedup key does: a call
 * repeating an escalation's status is `merged` when its dedup key holds that status already (no
 * other status came between), and `unmerged` — a second page someone sees — otherwise.
 */
function sinkRepeats(
  pages: readonly SinkPage[],
  key: (p: SinkPage) => string,
): { unmerged: string[]; merged: string[] } {
  const statusOf = new Map<string, string>();
  const seen = new Set<string>();
  const unmerged: string[] = [];
  const merged: string[] = [];
  for (const p of [...pages].sort((a, b) => a.at - b.at)) {
    const k = key(p);
    if (seen.has(k))
      (p.dedupKey && statusOf.get(p.dedupKey) === p.status ? merged : unmerged).push(k);
    seen.add(k);
    if (p.dedupKey) statusOf.set(p.dedupKey, p.status);
  }
  return { unmerged, merged };
}
const sample = (ids: string[]) =>
  ids.length === 0 ? '' : `: ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}`;

export function checkInvariants(o: Observed): ScenarioTable {
  const { records: r } = o;
  const stuckAfterMs = o.stuckAfterMs ?? 30_000;
  const rows: InvariantRow[] = [];
  const row = (invariant: string, bad: string[], ok: string, what: string) =>
    rows.push({
      invariant,
      held: bad.length === 0,
      detail: bad.length === 0 ? ok : `${bad.length} ${what}${sample(bad)}`,
    });

  const diagnosisIds = [...new Set(r.diagnoses.map((d) => d.eventId))];
  // A diagnosis has one decision, and may have a second that records what a shadow (or demoted)
  // policy would have done: that one has the shadow decision id and is not a second decision.
  const decisionsPerEvent = tally(
    r.decisions.filter((d) => d.decisionId !== decisionIdFor(d.eventId, 'shadow')),
    (d) => d.eventId,
  );
  const undecided = diagnosisIds.filter((id) => !decisionsPerEvent.has(id));
  const twice = diagnosisIds.filter((id) => (decisionsPerEvent.get(id) ?? 0) > 1);
  row(
    'every diagnosis decided exactly once',
    [...undecided.map((id) => `${id} undecided`), ...twice.map((id) => `${id} decided twice`)],
    `${diagnosisIds.length} diagnoses, each decided once`,
    'diagnoses not decided exactly once',
  );
  const dupDecisions = repeated(tally(r.decisions, (d) => d.decisionId)).map(([id]) => id);
  row('no duplicate decision id', dupDecisions, `${r.decisions.length} decisions`, 'repeated');
  const dupCommands = repeated(tally(r.commands, (c) => c.commandId)).map(([id]) => id);
  row('no duplicate command id', dupCommands, `${r.commands.length} commands`, 'repeated');
  const outcomesPerCommand = tally(r.outcomes, (x) => x.commandId);
  const dupOutcomes = repeated(outcomesPerCommand).map(([id, n]) => `${id} ×${n}`);
  row('no duplicate outcome id', dupOutcomes, `${r.outcomes.length} outcomes`, 'commands');
  const unreported = [...new Set(r.commands.map((c) => c.commandId))].filter(
    (id) => !outcomesPerCommand.has(id),
  );
  row('every command has an outcome', unreported, 'all reported', 'commands without an outcome');
  const callsPerKey = tally(o.runbookCalls, (c) => c.key);
  const twiceRun = repeated(callsPerKey).map(([key, n]) => `${key} ×${n}`);
  row('no action run twice', twiceRun, `${callsPerKey.size} actions, each run once`, 'keys');

  const pageKey = (p: { escalationId: string; status: string }) => `${p.escalationId}/${p.status}`;
  const atSink = tally(o.sinkPages, pageKey);
  const lost = [...new Set(r.escalations.map(pageKey))].filter((k) => !atSink.has(k));
  row('no page lost at the sink', lost, `${r.escalations.length} pages recorded`, 'pages missing');
  // A request is paged, or absorbed by an open page of its dedup key, which was itself paged.
  const paged = new Set(
    r.escalations.filter((e) => e.status === 'TRIGGERED').map((e) => e.dedupKey),
  );
  const unpaged = [
    ...new Set(
      r.escalationRequests
        .filter((e) => e.status === 'TRIGGERED' && !paged.has(e.dedupKey))
        .map((e) => e.dedupKey),
    ),
  ];
  row(
    'every page request paged',
    unpaged,
    `${r.escalationRequests.length} requests`,
    'dedup keys requested, never paged',
  );
  // A second call with an escalation's status is a repeated page unless the receiver merges it:
  // Alertmanager, PagerDuty and Opsgenie merge a call whose dedup key already has that status
  // (a trigger of an open page). The new owner of a partition that finds a write-ahead
  // `delivering` mark without `delivered` makes such a call by design (docs/chaos.md, (j)).
  const { unmerged, merged } = sinkRepeats(o.sinkPages, pageKey);
  const mergedNote =
    merged.length === 0
      ? ''
      : `, ${merged.length} repeated under a dedup key the sink held open (merged)${sample(merged)}`;
  row(
    'no page repeated at the sink',
    unmerged,
    `${o.sinkPages.length} received${mergedNote}`,
    'pages repeated',
  );
  // Poison: dead-lettered once by the one service consuming its topic, paged once per topic and
  // error code; and nothing else dead-lettered.
  const poison = o.poison ?? [];
  const keysOn = (dlq: string) => r.deadLetterKeys?.[dlq] ?? [];
  const letters = (p: PoisonSent) => keysOn(`${p.topic}.dlq`).filter((k) => k === p.key).length;
  row(
    'every poison record dead-lettered once',
    poison.filter((p) => letters(p) !== 1).map((p) => `${p.key} ×${letters(p)}`),
    `${poison.length} poison records, each once`,
    'poison records',
  );
  const poisonKeys = new Set(poison.map((p) => `${p.topic}.dlq/${p.key}`));
  const others = Object.entries(r.deadLetters).flatMap(([dlq, n]) => {
    const keys = keysOn(dlq);
    const extra = keys.filter((k) => !poisonKeys.has(`${dlq}/${k}`)).length + n - keys.length;
    return extra > 0 ? [`${dlq} ${extra}`] : [];
  });
  row('nothing but poison dead-lettered', others, 'none', 'dead-letter topics with other records');
  const wanted = new Set(poison.map((p) => `healstream/dead-letter/${p.topic}/${p.code}`));
  const dlqPages = tally(
    o.sinkPages.filter((p) => p.source === 'DEAD_LETTER' && p.status === 'TRIGGERED'),
    (p) => p.dedupKey ?? '',
  );
  row(
    'poison paged once per topic and error',
    [
      ...[...wanted].filter((k) => !dlqPages.has(k)).map((k) => `${k} never paged`),
      ...[...dlqPages].filter(([k, n]) => !wanted.has(k) || n > 1).map(([k, n]) => `${k} ×${n}`),
    ],
    `${dlqPages.size} dead-letter pages`,
    'dead-letter pages',
  );
  row(
    'every record decodes',
    r.undecodable > 0 ? [`${r.undecodable} records`] : [],
    'all',
    'undecodable',
  );

  row('every instance running and ready at the end', o.unhealthy ?? [], 'all', 'instances');
  if (o.outages?.length) outageRow(o.outages, r, rows);

  // No stuck partition: each component's first anomaly after the fault is decided in time.
  const diagnosisById = new Map(r.diagnoses.map((d) => [d.eventId, d]));
  const stuck: string[] = [];
  let recoverMs: number | null = 0;
  let worstMs: number | null = 0;
  for (const component of o.components) {
    const next = o.anomalies.find((a) => a.component === component && a.at >= o.clearedAt);
    if (!next) {
      stuck.push(`${component} (no anomaly published after the fault)`);
      recoverMs = worstMs = null;
      continue;
    }
    const decidedAt = r.decisions
      .map((d, i) => ({ d, at: r.decisionsWrittenAt?.[i] ?? d.decidedAt }))
      .filter(({ d }) => {
        const diagnosis = diagnosisById.get(d.eventId);
        return (
          diagnosis?.component === component &&
          diagnosis.kind === 'ANOMALY' &&
          diagnosis.detectedAt >= next.at
        );
      })
      .map(({ at }) => at)
      .sort((a, b) => a - b)[0];
    if (decidedAt === undefined || decidedAt - next.at > stuckAfterMs) {
      stuck.push(
        `${component} (${decidedAt === undefined ? 'never decided' : `decided after ${((decidedAt - next.at) / 1000).toFixed(1)} s`})`,
      );
    }
    if (decidedAt === undefined) recoverMs = worstMs = null;
    else {
      if (recoverMs !== null) recoverMs = Math.max(recoverMs, decidedAt - o.clearedAt);
      if (worstMs !== null) worstMs = Math.max(worstMs, decidedAt - next.at);
    }
  }
  row(
    `no stuck partition (next anomaly decided within ${stuckAfterMs / 1000} s)`,
    stuck,
    `${o.components.length} components decided in time`,
    'components',
  );

  return {
    rows,
    counts: {
      published: o.published,
      diagnoses: diagnosisIds.length,
      decided: diagnosisIds.length - undecided.length,
      decisions: r.decisions.length,
      commands: r.commands.length,
      actionsRun: callsPerKey.size,
      outcomes: r.outcomes.length,
      pages: o.sinkPages.length,
      deadLetters: Object.values(r.deadLetters).reduce((a, b) => a + b, 0),
      poison: poison.length,
    },
    recoverSeconds: recoverMs === null ? null : recoverMs / 1000,
    worstDecisionSeconds: worstMs === null ? null : worstMs / 1000,
  };
}

/** Processing went on with a broker down: decisions were written while it was away. */
function outageRow(outages: Outage[], r: TopicRecords, rows: InvariantRow[]): void {
  const written = r.decisions.map((d, i) => r.decisionsWrittenAt?.[i] ?? d.decidedAt);
  const during = outages.map((o) => ({
    ...o,
    decisions: written.filter((at) => at > o.from && at <= o.to).length,
  }));
  const text = (o: (typeof during)[number]) =>
    `${o.what} down ${((o.to - o.from) / 1000).toFixed(0)} s: ${o.decisions} decisions`;
  const idle = during.filter((o) => o.decisions === 0);
  rows.push({
    invariant: 'decisions go on while a broker is down',
    held: idle.length === 0,
    detail:
      idle.length === 0 ? during.map(text).join('; ') : `none while ${idle.map(text).join('; ')}`,
  });
}

/** The table as text: one line per invariant, then the counts. */
export function formatTable(title: string, t: ScenarioTable): string {
  const width = Math.max(...t.rows.map((r) => r.invariant.length));
  const lines = [
    title,
    ...t.rows.map(
      (r) => `  ${r.held ? 'ok  ' : 'FAIL'}  ${r.invariant.padEnd(width)}  ${r.detail}`,
    ),
    `  counts: ${Object.entries(t.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  recover: ${t.recoverSeconds === null ? 'never' : `${t.recoverSeconds.toFixed(1)} s`} after the fault cleared; slowest anomaly → decision ${t.worstDecisionSeconds === null ? 'never' : `${t.worstDecisionSeconds.toFixed(1)} s`}`,
  ];
  return lines.join('\n');
}
