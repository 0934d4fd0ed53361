import type { Anomaly } from '@healstream/contracts';
import type { JournalEntry } from './journal.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function anomalyText(a: Anomaly): string {
  const v = Number.isInteger(a.value) ? String(a.value) : a.value.toFixed(a.value < 1 ? 2 : 0);
  return `${a.metric} ${v} (limit ${a.baseline})`;
}

/** A component's vital signs from its latest scrape: `p99 14 ms, errors 0.2%, cpu 3%, pool 10%`. */
export function describeMetrics(metrics: Map<string, number> | undefined): string {
  if (!metrics) return 'no scrape yet';
  const pct = (m: string) =>
    `${((metrics.get(m) ?? 0) * 100).toFixed(m === 'error_rate' ? 1 : 0)}%`;
  return `p99 ${Math.round(metrics.get('latency_p99') ?? 0)} ms, errors ${pct('error_rate')}, ${Math.round(metrics.get('throughput') ?? 0)} req/s, cpu ${pct('cpu_util')}, db pool ${pct('db_pool_utilization')}`;
}

/**
 * Turns the pipeline's records into timeline lines: what was detected, diagnosed, decided, done,
 * verified and paged. Repeats that add nothing (the detector's re-emitted ANOMALY of an open
 * incident, decisions skipped because a command is in flight) are left out.
 */
export class TimelineFormatter {
  private readonly seen = new Set<string>();
  /** The fault being watched: times are also shown relative to its injection. */
  private fault: { component: string; at: number } | undefined;

  constructor(private readonly startedAt: number) {}

  watch(component: string, at: number): void {
    this.fault = { component, at };
  }

  line(at: number, component: string, what: string, text: string): string {
    const run = `+${seconds(at - this.startedAt)}`.padStart(8);
    const sinceFault =
      this.fault && this.fault.component === component && at >= this.fault.at
        ? `fault+${seconds(at - this.fault.at)}`
        : '';
    return `${run} ${sinceFault.padEnd(11)} ${component.padEnd(9)} ${what.padEnd(10)} ${text}`;
  }

  private first(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  format(entry: JournalEntry): string | null {
    switch (entry.logical) {
      case 'reliability-events': {
        const e = entry.value;
        if (e.kind === 'RESOLVED')
          return this.line(
            e.detectedAt,
            e.component,
            'RESOLVED',
            `incident ${e.incidentId} closed: metrics healthy again`,
          );
        if (!this.first(`event:${e.incidentId}`)) return null;
        return this.line(
          e.detectedAt,
          e.component,
          e.kind === 'SILENT' ? 'SILENT' : 'DETECTED',
          `${e.severity} ${e.anomalies.map(anomalyText).join(', ')}  [${e.incidentId}]`,
        );
      }
      case 'diagnoses': {
        const d = entry.value;
        const top = d.causes[0];
        if (d.kind === 'RESOLVED' || !top) return null;
        if (!this.first(`diagnosis:${d.incidentId}:${top.cause}`)) return null;
        return this.line(
          d.diagnosedAt,
          d.component,
          'DIAGNOSED',
          `${top.cause} (${top.confidence.toFixed(2)}): ${top.evidence.join('; ')}`,
        );
      }
      case 'healing-decisions': {
        const d = entry.value;
        if (d.verdict === 'SKIPPED_IN_FLIGHT' || d.verdict === 'RESOLVED') return null;
        if (d.verdict !== 'DISPATCHED' && !this.first(`decision:${d.incidentId}:${d.verdict}`))
          return null;
        const what = d.verdict === 'DISPATCHED' ? `${d.policy} (attempt ${d.attempt})` : d.reason;
        return this.line(d.decidedAt, d.component, 'DECIDED', `${d.verdict}: ${what}`);
      }
      case 'healing-commands': {
        const c = entry.value;
        const actions = c.actions.map(
          (a) =>
            `${a.name}${
              Object.keys(a.params).length
                ? `(${Object.entries(a.params)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ')})`
                : ''
            }`,
        );
        return this.line(
          c.issuedAt,
          c.component,
          'ACTING',
          `${actions.join(' + ')}  [${c.mode}, command ${c.commandId.slice(0, 12)}]`,
        );
      }
      case 'healing-outcomes': {
        const o = entry.value;
        const results = o.actions.map(
          (a) =>
            `${a.name} ${a.status}${a.detail ? ` (${a.detail})` : a.error ? ` (${a.error})` : ''}`,
        );
        return this.line(
          o.finishedAt,
          o.component,
          'VERIFIED',
          `${o.verification}: ${results.join('; ')}; ${o.verificationDetail}`,
        );
      }
      case 'escalations': {
        const p = entry.value;
        const verb = p.status === 'RESOLVED' ? 'page resolved' : `${p.severity} page`;
        return this.line(
          p.createdAt,
          p.component,
          'PAGED',
          `${verb} via ${p.channel || 'escalator'} (${p.source}): ${p.summary}`,
        );
      }
    }
  }
}
