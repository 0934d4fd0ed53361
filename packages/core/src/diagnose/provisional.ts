import type { Cause, ReliabilityEvent } from '@healstream/contracts';
import { FORECAST_DETECTOR } from '../detect/forecast.js';
import { CRITICAL_LINE, isClearedEvent, LINE_LABEL } from '../detect/events.js';
import { UNKNOWN_CAUSE } from './catalogue.js';

/**
 * How long a young incident's `unknown` is provisional. A fault that ramps in opens its
 * incident on the first metric to leave its usual noise, seconds in, before any cause's shape
 * has formed: on the bench's tune seeds 90 s let the early `unknown` of a ramp give way to the
 * right named cause where 45 s and 60 s published it (docs/diagnosis.md).
 */
export const PROVISIONAL_UNKNOWN_MS = 90_000;

/** The label a provisional diagnosis carries (value `provisional`); settled ones carry none. */
export const DIAGNOSIS_LABEL = 'healstream.diagnosis';
export const PROVISIONAL = 'provisional';

/** When the detector opened the incident: its id is `inc-<component>-<opened at, ms>`. */
export function incidentOpenedAt(incidentId: string): number | undefined {
  const match = /-(\d+)$/.exec(incidentId);
  return match ? Number(match[1]) : undefined;
}

/**
 * Whether a diagnosis is provisional: an ANOMALY whose best is `unknown`, in an incident opened
 * less than `provisionalMs` ago; the incident's next events bring the picture as it forms. It is
 * emitted all the same (the policies on metrics act on it), labelled so. A named cause, a
 * RESOLVED or cleared event, or an incident of unknown age is never provisional.
 */
export function isProvisional(
  event: ReliabilityEvent,
  causes: readonly Cause[],
  provisionalMs = PROVISIONAL_UNKNOWN_MS,
): boolean {
  if (event.kind !== 'ANOMALY' || isClearedEvent(event)) return false;
  if (causes[0]?.cause !== UNKNOWN_CAUSE) return false;
  const opened = incidentOpenedAt(event.incidentId);
  if (opened === undefined) return false;
  return event.detectedAt - opened < provisionalMs;
}

export const isProvisionalDiagnosis = (d: { labels: Record<string, string> }) =>
  d.labels[DIAGNOSIS_LABEL] === PROVISIONAL;

/**
 * Whether the diagnoser holds a diagnosis back instead of publishing it: a provisional `unknown`
 * of an incident with no metric past a CRITICAL threshold (the detector's LINE_LABEL). A ramp
 * opens its incident on a first departure from the usual level, seconds before its shape shows;
 * the detector re-emits the incident's events every few seconds while it lasts, each diagnosed
 * afresh, so the first diagnosis published is the cause once its shape has formed, or `unknown`
 * once the incident is `PROVISIONAL_UNKNOWN_MS` old. A metric past its critical line is
 * published at once, provisional or not: whatever the cause, it is acted on and paged for
 * without waiting; so is a forecast that a metric will cross its line (FORECAST_DETECTOR): a
 * policy on the forecast acts before the crossing or not at all. A named cause (a crash or a
 * silence among them) is never held.
 */
export const withheld = (d: Pick<ReliabilityEvent, 'labels' | 'anomalies'>): boolean =>
  isProvisionalDiagnosis(d) &&
  d.labels[LINE_LABEL] !== CRITICAL_LINE &&
  !d.anomalies.some((a) => a.detector === FORECAST_DETECTOR);
