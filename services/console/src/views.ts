import {
  describeEntry,
  type DeadLetterRow,
  type DecisionRow,
  type FleetRow,
  type IncidentFilter,
  type IncidentSummary,
  type IncidentView,
  type TimelineEntry,
} from '@healstream/incidents';
import { chartSvg } from './chart.js';
import { esc, table, time } from './html.js';

const VERDICTS = [
  'DISPATCHED',
  'SKIPPED_COOLDOWN',
  'SKIPPED_RATE_LIMIT',
  'SKIPPED_IN_FLIGHT',
  'SKIPPED_INVALID',
  'NO_MATCH',
  'SHADOW',
  'ESCALATE',
  'RESOLVED',
];

function input(name: string, label: string, value: string | undefined, type = 'text'): string {
  return `<label>${esc(label)} <input name="${name}" type="${type}" value="${esc(value ?? '')}"></label>`;
}

function verdictSelect(value: string | undefined): string {
  return `<label>Verdict <select name="verdict"><option value="">any</option>${VERDICTS.map(
    (v) => `<option${v === value ? ' selected' : ''}>${v}</option>`,
  ).join('')}</select></label>`;
}

const badge = (text: string | null, kind = text ?? '') =>
  text ? `<span class="badge b-${esc(kind.toLowerCase())}">${esc(text)}</span>` : '-';

export function incidentRow(i: IncidentSummary): string[] {
  return [
    `<a href="/incidents/${encodeURIComponent(i.id)}">${esc(i.id)}</a>`,
    esc(i.component),
    esc(i.team ?? '-'),
    badge(i.status),
    esc(i.cause ?? '-'),
    badge(i.verdict),
    esc(i.policy ?? '-'),
    badge(i.verification),
    time(i.updatedAt),
  ];
}

export function incidentsView(incidents: IncidentSummary[], filter: IncidentFilter): string {
  const form = `<form class="filters" method="get" action="/">${input('component', 'Component', filter.component)}${input('team', 'Team', filter.team)}${verdictSelect(filter.verdict)}${input('cause', 'Cause', filter.cause)}<label><input type="checkbox" name="open" value="1"${filter.open ? ' checked' : ''}> open only</label> <button type="submit">Filter</button></form>`;
  const rows = incidents.map(incidentRow);
  return `<h1>Incidents</h1>${form}${
    rows.length
      ? table(
          `${incidents.length} incidents, open first`,
          [
            'Incident',
            'Component',
            'Team',
            'Status',
            'Cause',
            'Verdict',
            'Policy',
            'Verification',
            'Updated',
          ],
          rows,
          'id="incidents"',
        )
      : '<p id="incidents-empty">No incidents match.</p>'
  }`;
}

function evaluatedTable(e: Extract<TimelineEntry, { kind: 'decided' }>): string {
  return table(
    'Every policy evaluated',
    ['Policy', 'Priority', 'Matched', 'Outcome', 'Why'],
    e.record.evaluated.map((p) => [
      p.outcome === 'chosen' ? `<strong class="chosen">${esc(p.policy)}</strong>` : esc(p.policy),
      esc(p.priority),
      p.matched ? 'yes' : 'no',
      badge(p.outcome),
      esc(p.reason),
    ]),
    'class="evaluated"',
  );
}

function entryHtml(e: TimelineEntry): string {
  const d = describeEntry(e);
  const lines = e.kind === 'decided' ? [d.lines[0] ?? ''] : d.lines;
  return `<li class="entry entry-${d.kind}" data-kind="${d.kind}"><div class="when">${time(d.at)}</div><h3>${esc(d.title)}</h3>${
    lines.length ? `<ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : ''
  }${e.kind === 'decided' ? evaluatedTable(e) : ''}</li>`;
}

export function incidentView(view: IncidentView): string {
  const i = view.incident;
  const facts: [string, string][] = [
    ['Component', esc(i.component)],
    ['Team', esc(i.team ?? '-')],
    ['Status', badge(i.status)],
    ['Severity', esc(i.severity ?? '-')],
    ['Opened', time(i.openedAt)],
    ['Resolved', time(i.resolvedAt)],
    [
      'Cause',
      `${esc(i.cause ?? '-')}${i.confidence === null ? '' : ` (${Math.round(i.confidence * 100)}%)`}`,
    ],
    ['Verdict', badge(i.verdict)],
    ['Policy', `<span id="chosen-policy">${esc(i.policy ?? '-')}</span>`],
    ['Verification', badge(i.verification)],
    ['Pages', esc(i.pages)],
  ];
  return `<h1>Incident ${esc(i.id)}</h1><dl class="facts">${facts
    .map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`)
    .join(
      '',
    )}</dl><h2>Metrics</h2>${chartSvg(view.chart)}<h2>Timeline</h2><ol class="timeline" id="timeline">${view.timeline
    .map(entryHtml)
    .join('')}</ol>`;
}

export interface DecisionQuery {
  component?: string;
  policy?: string;
  verdict?: string;
  from?: string;
  to?: string;
}

export function decisionsView(rows: DecisionRow[], q: DecisionQuery): string {
  const form = `<form class="filters" method="get" action="/decisions">${input('component', 'Component', q.component)}${input('policy', 'Policy', q.policy)}${verdictSelect(q.verdict)}${input('from', 'From (UTC)', q.from, 'datetime-local')}${input('to', 'To (UTC)', q.to, 'datetime-local')} <button type="submit">Search</button></form>`;
  return `<h1>Decisions</h1>${form}${table(
    `${rows.length} decisions, newest first`,
    ['Decided', 'Incident', 'Component', 'Verdict', 'Policy', 'Why', 'Policies evaluated'],
    rows.map((d) => [
      time(d.decidedAt),
      `<a href="/incidents/${encodeURIComponent(d.incidentId)}">${esc(d.incidentId)}</a>`,
      esc(d.component),
      badge(d.verdict),
      esc(d.policy ?? '-'),
      esc(d.reason),
      esc(d.evaluated.map((p) => `${p.policy}: ${p.outcome}`).join('; ')),
    ]),
    'id="decisions"',
  )}`;
}

export function fleetView(rows: FleetRow[]): string {
  return `<h1>Fleet</h1><p>Components the pipeline has spoken of. Paused and maintenance states appear once operator control records them.</p>${table(
    `${rows.length} components`,
    ['Component', 'Team', 'State', 'Open incident', 'Last action', 'Policy effectiveness'],
    rows.map((c) => [
      esc(c.component),
      esc(c.team ?? '-'),
      badge(c.state, c.state.replaceAll(' ', '-')),
      c.openIncident
        ? `<a href="/incidents/${encodeURIComponent(c.openIncident)}">${esc(c.openIncident)}</a>`
        : '-',
      c.lastAction
        ? `${esc(c.lastAction.policy)}: ${esc(c.lastAction.actions.join(', '))} → ${badge(c.lastAction.verification)} ${time(c.lastAction.finishedAt)}`
        : '-',
      c.effectiveness.length
        ? esc(
            c.effectiveness
              .map((e) => `${e.policy} ${e.recovered}/${e.outcomes} recovered`)
              .join('; '),
          )
        : '-',
    ]),
    'id="fleet"',
  )}`;
}

const H = {
  topic: 'healstream.dlq.original.topic',
  service: 'healstream.dlq.service',
  code: 'healstream.dlq.error.code',
  message: 'healstream.dlq.error.message',
  failedAt: 'healstream.dlq.failed.at',
};

/** Dead letters per topic; `next` is each partition's next offset to redrive. */
export function deadLettersView(
  topics: { topic: string; rows: DeadLetterRow[]; next: Map<number, bigint> }[],
): string {
  const sections = topics.map(({ topic, rows, next }) => {
    const pending = rows.filter((r) => BigInt(r.offset) >= (next.get(r.partition) ?? 0n));
    const head = new Set([...next].map(([p, o]) => `${p}@${o}`));
    const body = rows.map((r) => {
      const redriven = BigInt(r.offset) < (next.get(r.partition) ?? 0n);
      const canRedrive = head.has(`${r.partition}@${r.offset}`);
      const failed = Number(r.headers[H.failedAt]);
      return [
        `${r.partition}@${r.offset}`,
        esc(r.key ?? '-'),
        esc(r.headers[H.topic] ?? '-'),
        esc(r.headers[H.service] ?? '-'),
        `<code>${esc(r.headers[H.code] ?? '-')}</code> ${esc(r.headers[H.message] ?? '')}`,
        Number.isFinite(failed) ? time(failed) : '-',
        `<details><summary>headers</summary><pre>${esc(JSON.stringify(r.headers, null, 1))}</pre></details>`,
        redriven
          ? '<span class="badge b-redriven">redriven</span>'
          : canRedrive
            ? `<button type="button" class="redrive" data-topic="${esc(topic)}" data-partition="${r.partition}" data-offset="${esc(r.offset)}">Redrive</button>`
            : '<span class="badge b-pending" title="redrive runs in offset order: the earlier ones of this partition first">pending</span>',
      ];
    });
    return `<section class="dlq" data-topic="${esc(topic)}"><h2>${esc(topic)}</h2><p>${rows.length} dead letters, ${pending.length} pending. ${
      pending.length
        ? `<button type="button" class="redrive-all" data-topic="${esc(topic)}">Redrive all ${pending.length}</button>`
        : ''
    }</p>${table(`Dead letters of ${topic}`, ['Position', 'Key', 'From', 'Service', 'Error', 'Failed', 'Headers', 'Redrive'], body)}</section>`;
  });
  return `<h1>Dead letters</h1><p id="redrive-result" role="status" aria-live="polite"></p>${
    sections.length ? sections.join('') : '<p>No dead letters.</p>'
  }`;
}
