import type { Cause, Diagnosis, ReliabilityEvent } from '@healstream/contracts';
import { CAUSE_CATALOGUE, UNKNOWN_CAUSE, type CauseRule } from './catalogue.js';
import { FORECAST_DETECTOR } from '../detect/forecast.js';
import { describe, evidenceOf, num } from './evidence.js';
import { DIAGNOSIS_LABEL, isProvisional, PROVISIONAL } from './provisional.js';
import { CALIBRATION, stepValue, type CalibrationSteps } from './calibration.js';

export interface DiagnoseOptions {
  /** A deploy this long before the anomaly (or less) can be blamed. */
  badDeployWindowMs?: number;
  staleAfterMs?: number;
  catalogue?: readonly CauseRule[];
  /** A young incident's `unknown` is provisional this long (default 90 s). */
  provisionalUnknownMs?: number;
  /**
   * Match strength → confidence of the cause named first (calibration.ts; default CALIBRATION).
   * `null`: the rules' raw strengths, as the catalogue's tests and the fit read them.
   */
  calibration?: CalibrationSteps | null;
}

const round = (n: number) => Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;

/**
 * Ranks the probable causes of a reliability event, most confident first. When no rule's match
 * strength reaches 0.5, `unknown` is listed too, with confidence 1 − best strength and the
 * anomalies as evidence. The strength of the cause named first is then mapped to a calibrated
 * confidence (calibration.ts); the causes below it keep theirs.
 * A RESOLVED event yields a RESOLVED diagnosis without causes. A young incident's `unknown` is
 * labelled provisional (isProvisional): its picture may not have formed yet.
 */
export function diagnose(
  event: ReliabilityEvent,
  now: number,
  options: DiagnoseOptions = {},
): Diagnosis {
  const base: Diagnosis = { ...event, diagnosedAt: now, causes: [] };
  if (event.kind === 'RESOLVED') return base;
  const e = evidenceOf(event, options.staleAfterMs ?? 60_000);
  const badDeployWindowMs = options.badDeployWindowMs ?? 15 * 60_000;
  const causes: Cause[] = [];
  for (const rule of options.catalogue ?? CAUSE_CATALOGUE) {
    const finding = rule.assess(e, { badDeployWindowMs });
    if (finding)
      causes.push({
        cause: rule.cause,
        confidence: round(finding.confidence),
        evidence: finding.evidence,
      });
  }
  causes.sort((a, b) => b.confidence - a.confidence || a.cause.localeCompare(b.cause));
  const best = causes[0]?.confidence ?? 0;
  if (best < 0.5) {
    const seen = [
      ...new Set(
        event.anomalies.map((a) =>
          a.detector === FORECAST_DETECTOR
            ? `${a.metric} ${num(a.value)} predicted past ${num(a.baseline)}`
            : describe(e, a.metric),
        ),
      ),
    ];
    causes.push({
      cause: UNKNOWN_CAUSE,
      confidence: round(1 - best),
      evidence:
        seen.length > 0
          ? [`no catalogued cause explains: ${seen.join('; ')}`]
          : ['no anomaly evidence'],
    });
    causes.sort((a, b) => b.confidence - a.confidence);
  }
  const table = options.calibration === undefined ? CALIBRATION : options.calibration;
  const first = causes[0];
  if (table && first && first.cause !== UNKNOWN_CAUSE) {
    first.confidence = round(stepValue(table, first.confidence));
    // The others keep their strength, never above the first (calibration.ts says why).
    for (const c of causes.slice(1)) c.confidence = Math.min(c.confidence, first.confidence);
  }
  if (isProvisional(event, causes, options.provisionalUnknownMs))
    return { ...base, labels: { ...event.labels, [DIAGNOSIS_LABEL]: PROVISIONAL }, causes };
  return { ...base, causes };
}
