import { outcomeFor } from '@healstream/contracts';
import type { Diagnosis, HealingCommand, HealingOutcome } from '@healstream/contracts';
import { parsePolicies } from '../policy/parse.js';
import type { Policy } from '../policy/types.js';

export const T0 = Date.parse('2026-03-01T10:00:00Z');

/** A diagnosis whose snapshot holds the given metrics, all observed at `at`. */
export function diagnosisOf(
  metrics: Record<string, number>,
  at: number,
  overrides: Partial<Diagnosis> = {},
): Diagnosis {
  return {
    eventId: `ev-${overrides.incidentId ?? 'inc-1'}-${at}`,
    incidentId: 'inc-1',
    component: 'payments',
    kind: 'ANOMALY',
    severity: 'CRITICAL',
    detectedAt: at,
    diagnosedAt: at,
    snapshot: Object.entries(metrics).map(([metric, value]) => ({ metric, value, observedAt: at })),
    anomalies: [],
    labels: {},
    forecasts: [],
    causes: [],
    ...overrides,
  };
}

export function outcomeOf(
  command: HealingCommand,
  verification: HealingOutcome['verification'],
  at: number,
  failed = false,
): HealingOutcome {
  return outcomeFor(command, {
    actions: command.actions.map((a) => ({
      name: a.name,
      status: failed ? 'FAILED' : 'SUCCEEDED',
      durationMs: 1,
      error: null,
      detail: null,
    })),
    verification,
    verificationDetail: '',
    startedAt: command.issuedAt,
    finishedAt: at,
  });
}

/** Policies on one metric `x`, from YAML so the tests read like policy files. */
export function policiesOf(yaml: string): Policy[] {
  return parsePolicies(yaml, 'test.yaml');
}
