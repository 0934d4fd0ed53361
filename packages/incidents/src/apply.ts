import type { DatabaseSync } from 'node:sqlite';
import type {
  Diagnosis,
  Escalation,
  HealingCommand,
  HealingDecision,
  HealingOutcome,
  ReliabilityEvent,
} from '@healstream/contracts';
import type { DeadLetterRecord, EntryKind, PipelineRecord, Position } from './types.js';

/** Writes one record's rows; the caller has checked the position was not applied yet. */
export class Applier {
  constructor(
    private readonly db: DatabaseSync,
    /** The team of a component when its records carry no `team` label. */
    private readonly teamOf: (component: string) => string | null,
  ) {}

  /** Returns the incident the record touched, if any. */
  apply(record: PipelineRecord, at: Position): string | null {
    const source = `${at.topic}:${at.partition}:${at.offset}`;
    switch (record.logical) {
      case 'reliability-events':
        return this.event(record.value, source);
      case 'diagnoses':
        return this.diagnosis(record.value, source);
      case 'healing-decisions':
        return this.decision(record.value, source);
      case 'healing-commands':
        return this.command(record.value, source);
      case 'healing-outcomes':
        return this.outcome(record.value, source);
      case 'escalations':
        return this.page(record.value, source);
    }
  }

  deadLetter(record: DeadLetterRecord, at: Position): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO dead_letters (topic, partition, offset, key, value, headers, timestamp)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        at.topic,
        at.partition,
        Number(at.offset),
        record.key,
        record.value,
        JSON.stringify(record.headers),
        record.timestamp,
      );
  }

  private touch(id: string, component: string, at: number, labels?: Record<string, string>): void {
    const team = labels?.['team'] ?? this.teamOf(component);
    this.db
      .prepare(
        `INSERT INTO incidents (id, component, team, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET updated_at = max(updated_at, excluded.updated_at),
           team = coalesce(excluded.team, team)`,
      )
      .run(id, component, team, at);
  }

  private entry(id: string, at: number, kind: EntryKind, source: string, record: unknown): void {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO entries (source, incident_id, at, kind, record) VALUES (?, ?, ?, ?, ?)',
      )
      .run(source, id, at, kind, JSON.stringify(record));
  }

  private series(id: string, e: ReliabilityEvent | Diagnosis): void {
    const point = this.db.prepare(
      'INSERT OR REPLACE INTO points (incident_id, metric, at, value) VALUES (?, ?, ?, ?)',
    );
    for (const r of e.snapshot) point.run(id, r.metric, r.observedAt, r.value);
    const anomaly = this.db.prepare(
      `INSERT OR REPLACE INTO anomalies (incident_id, metric, at, value, baseline, score, detector)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const a of e.anomalies)
      anomaly.run(id, a.metric, e.detectedAt, a.value, a.baseline, a.score, a.detector);
  }

  private event(e: ReliabilityEvent, source: string): string {
    this.touch(e.incidentId, e.component, e.detectedAt, e.labels);
    this.series(e.incidentId, e);
    if (e.kind === 'RESOLVED') {
      this.entry(e.incidentId, e.detectedAt, 'resolved', source, e);
      this.resolve(e.incidentId, e.detectedAt);
      return e.incidentId;
    }
    const first = this.db
      .prepare('SELECT opened_at FROM incidents WHERE id = ?')
      .get(e.incidentId) as { opened_at: number | null } | undefined;
    // Repeats while the component stays anomalous feed the chart, not the timeline.
    if (first?.opened_at == null || e.detectedAt < first.opened_at) {
      this.db
        .prepare("DELETE FROM entries WHERE incident_id = ? AND kind = 'detected'")
        .run(e.incidentId);
      this.entry(e.incidentId, e.detectedAt, 'detected', source, e);
      this.db
        .prepare('UPDATE incidents SET opened_at = ?, severity = ? WHERE id = ?')
        .run(e.detectedAt, e.severity, e.incidentId);
    }
    return e.incidentId;
  }

  private resolve(id: string, at: number): void {
    this.db
      .prepare(
        "UPDATE incidents SET status = 'resolved', resolved_at = coalesce(min(resolved_at, ?), ?) WHERE id = ?",
      )
      .run(at, at, id);
  }

  private diagnosis(d: Diagnosis, source: string): string {
    this.touch(d.incidentId, d.component, d.diagnosedAt, d.labels);
    this.series(d.incidentId, d);
    this.entry(d.incidentId, d.diagnosedAt, 'diagnosed', source, d);
    const top = d.causes[0];
    if (top)
      this.db
        .prepare(
          `UPDATE incidents SET cause = ?, confidence = ?, cause_at = ?
           WHERE id = ? AND (cause_at IS NULL OR cause_at <= ?)`,
        )
        .run(top.cause, top.confidence, d.diagnosedAt, d.incidentId, d.diagnosedAt);
    return d.incidentId;
  }

  private decision(d: HealingDecision, source: string): string {
    this.touch(d.incidentId, d.component, d.decidedAt);
    this.entry(
      d.incidentId,
      d.decidedAt,
      d.verdict === 'RESOLVED' ? 'resolved' : 'decided',
      source,
      d,
    );
    this.db
      .prepare(
        `INSERT OR IGNORE INTO decisions
           (decision_id, incident_id, component, verdict, policy, decided_at, reason, evaluated)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        d.decisionId,
        d.incidentId,
        d.component,
        d.verdict,
        d.policy,
        d.decidedAt,
        d.reason,
        JSON.stringify(d.evaluated),
      );
    this.db
      .prepare(
        `UPDATE incidents SET verdict = ?, policy = coalesce(?, policy), verdict_at = ?
         WHERE id = ? AND (verdict_at IS NULL OR verdict_at <= ?)`,
      )
      .run(d.verdict, d.policy, d.decidedAt, d.incidentId, d.decidedAt);
    if (d.verdict === 'RESOLVED') this.resolve(d.incidentId, d.decidedAt);
    return d.incidentId;
  }

  private command(c: HealingCommand, source: string): string {
    this.touch(c.incidentId, c.component, c.issuedAt);
    this.entry(c.incidentId, c.issuedAt, 'command', source, c);
    return c.incidentId;
  }

  private outcome(o: HealingOutcome, source: string): string {
    this.touch(o.incidentId, o.component, o.finishedAt);
    this.entry(o.incidentId, o.finishedAt, 'outcome', source, o);
    this.db
      .prepare(
        `INSERT OR IGNORE INTO outcomes
           (command_id, incident_id, component, policy, mode, actions, verification, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        o.commandId,
        o.incidentId,
        o.component,
        o.policy,
        o.mode,
        JSON.stringify(o.actions.map((a) => `${a.name}: ${a.status}`)),
        o.verification,
        o.finishedAt,
      );
    this.db
      .prepare(
        `UPDATE incidents SET verification = ?, verification_at = ?
         WHERE id = ? AND (verification_at IS NULL OR verification_at <= ?)`,
      )
      .run(o.verification, o.finishedAt, o.incidentId, o.finishedAt);
    return o.incidentId;
  }

  private page(p: Escalation, source: string): string | null {
    // Pages about a dead letter belong to no incident; the dead-letter view shows those records.
    if (p.incidentId === null) return null;
    this.touch(p.incidentId, p.component, p.createdAt);
    this.entry(p.incidentId, p.createdAt, 'page', source, p);
    this.db
      .prepare(
        "UPDATE incidents SET pages = (SELECT count(*) FROM entries WHERE incident_id = ? AND kind = 'page') WHERE id = ?",
      )
      .run(p.incidentId, p.incidentId);
    return p.incidentId;
  }
}
