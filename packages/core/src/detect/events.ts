/**
 * The events a component's detector emits, built from its state: the snapshot, the fresh
 * anomalies, the metrics shifted from their pre-incident level, and the cleared marker.
 */
import { erfc } from '@healstream/anomaly';
import type { Anomaly, MetricReading, ReliabilityEvent, Severity } from '@healstream/contracts';
import type { DetectorConfig } from './config.js';
import type { ComponentDetectorState, MetricState, UsualLevel } from './state.js';
import { forecastsOf } from './forecast.js';

/** INFO when every active anomaly is informational (a surplus of replicas), else the worst. */
function severityOf(active: readonly MetricState[]): Severity {
  if (active.some((m) => m.severity === 'CRITICAL')) return 'CRITICAL';
  return active.length > 0 && active.every((m) => m.severity === 'INFO') ? 'INFO' : 'WARNING';
}

/**
 * The label of an ANOMALY event with a metric past a CRITICAL threshold (value `critical`): a
 * line the operator drew was crossed, not only a departure from the usual level. A statistical
 * anomaly, however large, does not set it. The diagnoser publishes such an event's diagnosis at
 * once, even while its cause has not formed (docs/diagnosis.md).
 */
export const LINE_LABEL = 'healstream.line';
export const CRITICAL_LINE = 'critical';

/** The sample labels, with LINE_LABEL when an active anomaly crossed a CRITICAL threshold. */
function labelsOf(state: ComponentDetectorState, active: readonly MetricState[]) {
  const crossed = active.some(
    (m) => m.severity === 'CRITICAL' && m.anomaly?.detector === 'threshold',
  );
  return crossed ? { ...state.labels, [LINE_LABEL]: CRITICAL_LINE } : { ...state.labels };
}

/** The latest reading of every metric (stale ones too: consumers judge age from observedAt). */
export function snapshotOf(state: ComponentDetectorState): MetricReading[] {
  return Object.entries(state.metrics).map(([metric, m]) => ({
    metric,
    value: m.value,
    observedAt: m.observedAt,
  }));
}

export function freshAnomalies(
  state: ComponentDetectorState,
  now: number,
  config: DetectorConfig,
): MetricState[] {
  return Object.values(state.metrics).filter(
    (m) => m.anomaly !== null && now - m.observedAt <= config.staleAfterMs,
  );
}

/** Whether `freshAnomalies` would find any, without building the list. */
export function hasFreshAnomaly(
  state: ComponentDetectorState,
  now: number,
  config: DetectorConfig,
): boolean {
  for (const metric in state.metrics) {
    const m = state.metrics[metric] as MetricState;
    if (m.anomaly !== null && now - m.observedAt <= config.staleAfterMs) return true;
  }
  return false;
}

/** A shift from the usual level must also be this share of the level itself. */
const MIN_SHIFT_RATIO = 0.1;

/**
 * The detector's name for a metric that moved away from its pre-incident level while an
 * incident is open, though the scorer no longer calls it anomalous (it takes a sustained level
 * as the new normal within about a minute). Listed among the event's anomalies, with the
 * pre-incident level as baseline, so a diagnosis still sees a surge or a collapse minutes in,
 * and a ramp against where it started; it never opens, holds open or re-emits an incident.
 */
export const PRE_INCIDENT_DETECTOR = 'pre-incident';

function shifted(m: MetricState, config: DetectorConfig): boolean {
  const usual = m.usual;
  if (!usual) return false;
  const by = Math.abs(m.value - usual.level);
  return (
    by >= config.statistical.shiftDeviation * usual.spread &&
    by >= MIN_SHIFT_RATIO * Math.abs(usual.level)
  );
}

/**
 * The fresh metrics of an open incident far from their pre-incident level, unless a statistical
 * anomaly (whose baseline is that level already) says so.
 */
export function preIncidentShifts(
  state: ComponentDetectorState,
  now: number,
  config: DetectorConfig,
): Anomaly[] {
  if (!state.incident) return [];
  const out: Anomaly[] = [];
  for (const [metric, m] of Object.entries(state.metrics)) {
    // A threshold anomaly's baseline is its threshold: the pre-incident level is listed beside it.
    const other = m.anomaly !== null && m.anomaly.detector !== 'threshold';
    if (other || now - m.observedAt > config.staleAfterMs || !shifted(m, config)) continue;
    const usual = m.usual as UsualLevel;
    const z = Math.abs(m.value - usual.level) / Math.max(usual.spread, 1e-12);
    out.push({
      metric,
      value: m.value,
      baseline: usual.level,
      score: 1 - erfc(z / Math.SQRT2),
      detector: PRE_INCIDENT_DETECTOR,
    });
  }
  return out;
}

export function event(
  state: ComponentDetectorState,
  kind: 'ANOMALY' | 'RESOLVED',
  now: number,
  config: DetectorConfig,
): ReliabilityEvent {
  const incident = state.incident;
  if (!incident) throw new Error('event without an incident');
  incident.events += 1;
  const active = kind === 'ANOMALY' ? freshAnomalies(state, now, config) : [];
  const severity: Severity = kind === 'RESOLVED' ? 'INFO' : severityOf(active);
  return {
    eventId: `${incident.incidentId}#${incident.events}`,
    incidentId: incident.incidentId,
    component: state.component,
    kind,
    severity,
    detectedAt: now,
    snapshot: snapshotOf(state),
    anomalies:
      kind === 'ANOMALY'
        ? [...active.map((m) => m.anomaly as Anomaly), ...preIncidentShifts(state, now, config)]
        : [],
    labels: labelsOf(state, active),
    forecasts: forecastsOf(state, config),
  };
}

/**
 * The label of an ANOMALY event that says a metric of the open incident went back to normal
 * (value `cleared`, severity INFO): it brings holds up to date; nothing acts on it.
 */
export const EVENT_LABEL = 'healstream.event';
export const CLEARED = 'cleared';

export function clearedEvent(e: ReliabilityEvent): ReliabilityEvent {
  // Severity INFO, and so not past a critical line whatever another metric still does.
  const { [LINE_LABEL]: _line, ...labels } = e.labels;
  return { ...e, severity: 'INFO', labels: { ...labels, [EVENT_LABEL]: CLEARED } };
}

export const isClearedEvent = (e: Pick<ReliabilityEvent, 'labels'>) =>
  e.labels[EVENT_LABEL] === CLEARED;

/**
 * An ANOMALY event brought up to date with the component's latest state: the snapshot, the
 * anomalies still fresh at the event's time, the labels and the severity. A scrape publishes
 * all of a component's metrics at once, but the incident opens on the first bad one: the
 * detector service emits its events once the whole batch is in, refreshed, so the diagnosis sees
 * every metric of that scrape. Ids and detectedAt are kept; RESOLVED events are left as they are.
 */
export function refreshEvent(
  event: ReliabilityEvent,
  state: ComponentDetectorState,
  config: DetectorConfig,
): ReliabilityEvent {
  if (event.kind !== 'ANOMALY' || state.incident?.incidentId !== event.incidentId) return event;
  const active = freshAnomalies(state, event.detectedAt, config);
  if (active.length === 0) return event;
  const refreshed: ReliabilityEvent = {
    ...event,
    severity: severityOf(active),
    snapshot: snapshotOf(state),
    anomalies: [
      ...active.map((m) => m.anomaly as Anomaly),
      ...preIncidentShifts(state, event.detectedAt, config),
    ],
    labels: labelsOf(state, active),
    forecasts: forecastsOf(state, config),
  };
  return isClearedEvent(event) ? clearedEvent(refreshed) : refreshed;
}
