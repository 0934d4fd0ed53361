import { hash } from 'node:crypto';

function digest(...parts: (string | number)[]): string {
  // NUL-separated so ('a', 'bc') and ('ab', 'c') never collide. The one-shot hash is the same
  // sha256 as createHash, without a Hash object per id.
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32);
}

/** Deterministic: a replayed diagnosis yields the same id, so the executor's ledger dedups it. */
export function commandIdFor(
  incidentId: string,
  policy: string,
  attempt: number,
  mode: 'ENFORCE' | 'SHADOW' = 'ENFORCE',
): string {
  return mode === 'ENFORCE'
    ? `cmd-${digest(incidentId, policy, attempt)}`
    : `shadow-${digest(incidentId, policy, attempt, 'shadow')}`;
}

export function decisionIdFor(eventId: string, kind: 'main' | 'shadow' = 'main'): string {
  return `dec-${digest(eventId, kind)}`;
}

export function escalationIdFor(...parts: (string | number)[]): string {
  return `esc-${digest(...parts)}`;
}
