import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type {
  ChartSeries,
  DeadLetterRow,
  DecisionFilter,
  DecisionRow,
  FleetRow,
  IncidentChart,
  IncidentFilter,
  IncidentSummary,
  IncidentView,
  TimelineEntry,
} from './types.js';

interface IncidentRow {
  id: string;
  component: string;
  team: string | null;
  severity: string | null;
  status: 'open' | 'resolved';
  opened_at: number | null;
  updated_at: number;
  resolved_at: number | null;
  cause: string | null;
  confidence: number | null;
  verdict: string | null;
  policy: string | null;
  verification: string | null;
  pages: number;
}

function summary(r: IncidentRow): IncidentSummary {
  return {
    id: r.id,
    component: r.component,
    team: r.team,
    severity: r.severity,
    status: r.status,
    openedAt: r.opened_at,
    updatedAt: r.updated_at,
    resolvedAt: r.resolved_at,
    cause: r.cause,
    confidence: r.confidence,
    verdict: r.verdict,
    policy: r.policy,
    verification: r.verification,
    pages: r.pages,
  };
}

// Steps at the same millisecond (a decision and its command) read in the story's order.
const KIND_ORDER = `CASE kind WHEN 'detected' THEN 0 WHEN 'diagnosed' THEN 1 WHEN 'decided' THEN 2
  WHEN 'command' THEN 3 WHEN 'outcome' THEN 4 WHEN 'page' THEN 5 ELSE 6 END`;

/** Read side of the store: what the console's pages and the CLI's views show. */
export class Queries {
  constructor(protected readonly db: DatabaseSync) {}

  /** Open incidents first, then recent resolved ones, most recently updated first. */
  incidents(filter: IncidentFilter = {}): IncidentSummary[] {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (filter.open) where.push("status = 'open'");
    else if (filter.since !== undefined) {
      where.push("(status = 'open' OR updated_at >= ?)");
      params.push(filter.since);
    }
    for (const [column, value] of [
      ['component', filter.component],
      ['team', filter.team],
      ['verdict', filter.verdict],
      ['cause', filter.cause],
    ] as const) {
      if (value === undefined || value === '') continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY status = 'open' DESC, updated_at DESC LIMIT ?`,
      )
      .all(...params, filter.limit ?? 200) as unknown as IncidentRow[];
    return rows.map(summary);
  }

  incidentSummary(id: string): IncidentSummary | undefined {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as unknown as
      IncidentRow | undefined;
    return row && summary(row);
  }

  /** The whole story of one incident, or undefined when the store has never seen it. */
  incident(id: string): IncidentView | undefined {
    const incident = this.incidentSummary(id);
    if (!incident) return undefined;
    const timeline = (
      this.db
        .prepare(
          `SELECT at, kind, source, record FROM entries WHERE incident_id = ?
           ORDER BY at, ${KIND_ORDER}, source`,
        )
        .all(id) as { at: number; kind: string; source: string; record: string }[]
    ).map(
      (r) =>
        ({
          at: r.at,
          kind: r.kind,
          source: r.source,
          record: JSON.parse(r.record),
        }) as TimelineEntry,
    );
    return { incident, timeline, chart: this.chart(id, timeline) };
  }

  private chart(id: string, timeline: TimelineEntry[]): IncidentChart {
    const anomalies = this.db
      .prepare(
        'SELECT metric, at, value, baseline, score, detector FROM anomalies WHERE incident_id = ? ORDER BY at',
      )
      .all(id) as {
      metric: string;
      at: number;
      value: number;
      baseline: number;
      score: number;
      detector: string;
    }[];
    // The metrics that triggered it: those flagged anomalous at some point of the incident.
    const metrics = [...new Set(anomalies.map((a) => a.metric))];
    const point = this.db.prepare(
      'SELECT at, value FROM points WHERE incident_id = ? AND metric = ? ORDER BY at',
    );
    const series = metrics.map((metric): ChartSeries => {
      const marks = anomalies.filter((a) => a.metric === metric);
      const threshold = marks.find((a) => a.detector === 'threshold')?.baseline ?? null;
      return {
        metric,
        points: point.all(id, metric) as { at: number; value: number }[],
        anomalies: marks.map(({ metric: _m, ...a }) => a),
        threshold,
      };
    });
    const actions: IncidentChart['actions'] = [];
    for (const e of timeline) {
      if (e.kind === 'command')
        actions.push({
          at: e.at,
          label: `${e.record.policy.name}: ${e.record.actions.map((a) => a.name).join(', ')}`,
          status: 'issued',
        });
      if (e.kind === 'outcome')
        actions.push({
          at: e.at,
          label: `${e.record.policy}: ${e.record.verification}`,
          status: e.record.verification,
        });
    }
    return { series, actions };
  }

  decisions(filter: DecisionFilter = {}): DecisionRow[] {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    const add = (clause: string, ...values: SQLInputValue[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (filter.component) add('component = ?', filter.component);
    if (filter.verdict) add('verdict = ?', filter.verdict);
    if (filter.policy) {
      // A policy named as chosen, or among those evaluated.
      add(
        '(policy = ? OR evaluated LIKE ?)',
        filter.policy,
        `%"policy":${JSON.stringify(filter.policy)}%`,
      );
    }
    if (filter.from !== undefined) add('decided_at >= ?', filter.from);
    if (filter.to !== undefined) add('decided_at <= ?', filter.to);
    const rows = this.db
      .prepare(
        `SELECT * FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY decided_at DESC LIMIT ?`,
      )
      .all(...params, filter.limit ?? 200) as {
      decision_id: string;
      incident_id: string;
      component: string;
      verdict: string;
      policy: string | null;
      decided_at: number;
      reason: string;
      evaluated: string;
    }[];
    return rows.map((r) => ({
      decisionId: r.decision_id,
      incidentId: r.incident_id,
      component: r.component,
      verdict: r.verdict,
      policy: r.policy,
      decidedAt: r.decided_at,
      reason: r.reason,
      evaluated: JSON.parse(r.evaluated),
    }));
  }

  /** Every component the store has seen: its state, last action and policy effectiveness. */
  fleet(): FleetRow[] {
    const components = this.db
      .prepare(
        `SELECT component, max(team) AS team,
           (SELECT id FROM incidents o WHERE o.component = i.component AND o.status = 'open'
             ORDER BY updated_at DESC LIMIT 1) AS open_id
         FROM incidents i GROUP BY component ORDER BY component`,
      )
      .all() as { component: string; team: string | null; open_id: string | null }[];
    const last = this.db.prepare(
      'SELECT policy, actions, verification, finished_at FROM outcomes WHERE component = ? ORDER BY finished_at DESC LIMIT 1',
    );
    const verdict = this.db.prepare('SELECT verdict FROM incidents WHERE id = ?');
    const effectiveness = this.db.prepare(
      `SELECT policy, count(*) AS outcomes, sum(verification = 'RECOVERED') AS recovered
       FROM outcomes WHERE component = ? AND mode = 'ENFORCE' GROUP BY policy ORDER BY policy`,
    );
    return components.map((c) => {
      const action = last.get(c.component) as
        { policy: string; actions: string; verification: string; finished_at: number } | undefined;
      const open = c.open_id
        ? (verdict.get(c.open_id) as { verdict: string | null } | undefined)
        : undefined;
      return {
        component: c.component,
        team: c.team,
        state: !c.open_id
          ? 'healthy'
          : open?.verdict === 'SKIPPED_COOLDOWN'
            ? 'in cooldown'
            : 'incident open',
        openIncident: c.open_id,
        lastAction: action
          ? {
              policy: action.policy,
              actions: JSON.parse(action.actions),
              verification: action.verification,
              finishedAt: action.finished_at,
            }
          : null,
        effectiveness: (
          effectiveness.all(c.component) as {
            policy: string;
            outcomes: number;
            recovered: number;
          }[]
        ).map((e) => ({ policy: e.policy, outcomes: e.outcomes, recovered: e.recovered })),
      };
    });
  }

  deadLetters(topic?: string, limit = 500): DeadLetterRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM dead_letters ${topic ? 'WHERE topic = ?' : ''}
         ORDER BY topic, partition, offset LIMIT ?`,
      )
      .all(...(topic ? [topic] : []), limit) as {
      topic: string;
      partition: number;
      offset: number;
      key: string | null;
      value: string | null;
      headers: string;
      timestamp: number;
    }[];
    return rows.map((r) => ({ ...r, offset: String(r.offset), headers: JSON.parse(r.headers) }));
  }

  counts(): { incidents: number; open: number; deadLetters: number } {
    const row = this.db
      .prepare(
        `SELECT (SELECT count(*) FROM incidents) AS incidents,
                (SELECT count(*) FROM incidents WHERE status = 'open') AS open,
                (SELECT count(*) FROM dead_letters) AS deadLetters`,
      )
      .get() as { incidents: number; open: number; deadLetters: number };
    return { ...row };
  }
}
