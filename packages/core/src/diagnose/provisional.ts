import type { Cause, ReliabilityEvent } from '@healstream/contracts';
import { isClearedEvent } from '../detect/events.js';
import { UNKNOWN_CAUSE } from './catalogue.js';

/**
 * How long a young incident's `unknown` is provisional. A fault that ramps in opens its
 * incident on the first metric to cross a line, seconds in, before any cause's shape has
 * formed: on the bench's tune seeds the early `unknown` of a ramp gave way to the right named
 * cause within 45 s of the incident's opening in all faults but one (docs/diagnosis.md).
 */
export const PROVISIONAL_UNKNOWN_MS = 45_000;

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
