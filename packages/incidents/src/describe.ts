import type { IncidentSummary, IncidentView, TimelineEntry } from './types.js';

/** One timeline step in words: a title and the lines under it (the page and the CLI share it). */
export interface EntryText {
  kind: TimelineEntry['kind'];
  at: number;
  title: string;
  lines: string[];
}

const percent = (x: number) => `${Math.round(x * 100)}%`;

export function describeEntry(e: TimelineEntry): EntryText {
  const base = { kind: e.kind, at: e.at };
  switch (e.kind) {
    case 'detected':
      return {
        ...base,
        title: `detected: ${e.record.severity} anomaly on ${e.record.component}`,
        lines: e.record.anomalies.map(
          (a) =>
            `${a.metric} = ${a.value} (${a.detector} detector, ${a.detector === 'threshold' ? 'limit' : 'expected'} ${a.baseline}, score ${a.score.toFixed(2)})`,
        ),
      };
    case 'diagnosed':
      return {
        ...base,
        title: `diagnosed: ${e.record.causes[0]?.cause ?? 'no cause'}${e.record.causes[0] ? ` (confidence ${percent(e.record.causes[0].confidence)})` : ''}`,
        lines: e.record.causes.flatMap((c) => [
          `${c.cause} — confidence ${percent(c.confidence)}`,
          ...c.evidence.map((line) => `  evidence: ${line}`),
        ]),
      };
    case 'decided':
      return {
        ...base,
        title: `decided: ${e.record.verdict}${e.record.policy ? ` — policy ${e.record.policy}` : ''}`,
        lines: [
          e.record.reason,
          ...e.record.evaluated.map(
            (p) =>
              `policy ${p.policy} (priority ${p.priority}): ${p.outcome}${p.matched ? ', matched' : ''} — ${p.reason}`,
          ),
        ],
      };
    case 'command':
      return {
        ...base,
        title: `command: ${e.record.policy.name} attempt ${e.record.attempt} (${e.record.mode})`,
        lines: [
          ...e.record.actions.map(
            (a) =>
              `action ${a.name}${
                Object.keys(a.params).length
                  ? ` ${Object.entries(a.params)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(' ')}`
                  : ''
              }`,
          ),
          e.record.reason,
        ],
      };
    case 'outcome':
      return {
        ...base,
        title: `verification: ${e.record.verification} after ${e.record.policy}`,
        lines: [
          ...e.record.actions.map(
            (a) =>
              `result ${a.name}: ${a.status} in ${a.durationMs} ms${a.error ? ` — ${a.error}` : ''}${a.detail ? ` (${a.detail})` : ''}`,
          ),
          e.record.verificationDetail,
        ],
      };
    case 'page':
      return {
        ...base,
        title: `page ${e.record.status.toLowerCase()}: ${e.record.channel} (${e.record.source})`,
        lines: [e.record.summary, ...e.record.actionsTried.map((a) => `tried ${a}`)],
      };
    case 'resolved':
      return {
        ...base,
        title: `resolved: ${e.record.component} recovered`,
        lines: 'reason' in e.record ? [e.record.reason] : [],
      };
  }
}

export function summaryLine(i: IncidentSummary): string {
  return [
    i.status.padEnd(8),
    i.id,
    i.component,
    i.team ?? '-',
    i.cause ?? '-',
    i.verdict ?? '-',
    i.policy ?? '-',
    i.verification ?? '-',
  ].join('  ');
}

/** The incident as text: the same story the console's page tells. */
export function incidentText(view: IncidentView): string[] {
  const i = view.incident;
  const out = [
    `incident ${i.id} — ${i.component} (${i.status}${i.team ? `, team ${i.team}` : ''})`,
    `cause ${i.cause ?? '-'}${i.confidence === null ? '' : ` (${percent(i.confidence)})`}, verdict ${i.verdict ?? '-'}, policy ${i.policy ?? '-'}, verification ${i.verification ?? '-'}`,
    '',
  ];
  for (const e of view.timeline) {
    const d = describeEntry(e);
    out.push(`${new Date(d.at).toISOString()}  ${d.title}`);
    for (const line of d.lines) out.push(`    ${line}`);
  }
  return out;
}
