import { isClearedEvent, type SimulationResult, type TimelineEntry } from '@healstream/core';

const clock = (at: number) => new Date(at).toISOString().slice(11, 19);

function line(entry: TimelineEntry): string | null {
  switch (entry.kind) {
    case 'event': {
      const e = entry.event;
      if (e.kind === 'RESOLVED') return `${e.component} RESOLVED ${e.incidentId}`;
      const what = e.anomalies
        .map((a) => `${a.metric}=${a.value} (${a.detector} ${a.baseline})`)
        .join(', ');
      if (isClearedEvent(e))
        return `${e.component} CLEARED ${e.incidentId}: a metric is back to normal; still anomalous: ${what || 'none'}`;
      return `${e.component} ${e.kind} ${e.severity} ${e.incidentId}: ${what}`;
    }
    case 'diagnosis': {
      const causes = entry.diagnosis.causes
        .slice(0, 3)
        .map((c) => `${c.cause} ${c.confidence.toFixed(2)}`);
      return `${entry.diagnosis.component}   diagnosis: ${causes.join(', ')}`;
    }
    case 'decision': {
      const d = entry.decision;
      const policy = d.policy ? ` ${d.policy}` : '';
      return `${d.component}   decision ${d.verdict}${policy}${d.verdict === 'DISPATCHED' ? ` (attempt ${d.attempt})` : `: ${d.reason}`}`;
    }
    case 'command': {
      const c = entry.command;
      const actions = c.actions.map((a) => a.name).join(', ');
      return `${c.component}   command ${c.mode === 'SHADOW' ? '(shadow) ' : ''}${c.commandId}: ${actions}`;
    }
    case 'outcome': {
      const o = entry.outcome;
      return `${o.component}   outcome ${o.policy} attempt ${o.attempt}: ${o.actions.map((a) => `${a.name} ${a.status}`).join(', ')}; ${o.verification}`;
    }
    case 'escalation': {
      const e = entry.escalation;
      return `${e.component}   ESCALATION ${e.source}: ${e.summary}`;
    }
  }
}

/** The timeline as lines a person reads, then one summary line per incident. */
export function formatSimulation(result: SimulationResult): string[] {
  const lines: string[] = [];
  for (const entry of result.timeline) {
    const text = line(entry);
    if (text) lines.push(`${clock(entry.at)}  ${text}`);
  }
  lines.push('', `${result.incidents.length} incident(s):`);
  for (const i of result.incidents) {
    const span = `${clock(i.openedAt)}–${i.resolvedAt === null ? 'open' : clock(i.resolvedAt)}`;
    const actions = i.actions.length > 0 ? i.actions.join('; ') : 'no action';
    lines.push(
      `  ${i.incidentId} ${i.component} ${span}: ${actions}${i.escalated ? '; escalated' : ''}`,
    );
  }
  return lines;
}
