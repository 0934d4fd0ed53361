import { hash } from 'node:crypto';

function digest(...parts: (string | number)[]): string {
  // NUL-separated so ('a', 'bc') and ('ab', 'c') never collide. The one-shot hash is the same
  // sha256 as createHash, without a Hash object per id.
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32);
}

/**
 * Command ids hashed lately: an incident's steps build the same shadow command (incident,
 * policy, attempt) step after step until its ladder moves. Bounded: cleared when full.
 */
const commandIds = new Map<string, string>();
const COMMAND_IDS_KEPT = 4096;

/** Deterministic: a replayed diagnosis yields the same id, so the executor's ledger dedups it. */
export function commandIdFor(
  incidentId: string,
  policy: string,
  attempt: number,
  mode: 'ENFORCE' | 'SHADOW' = 'ENFORCE',
): string {
  const key = `${mode}\u0000${incidentId}\u0000${policy}\u0000${attempt}`;
  let id = commandIds.get(key);
  if (id === undefined) {
    id =
      mode === 'ENFORCE'
        ? `cmd-${digest(incidentId, policy, attempt)}`
        : `shadow-${digest(incidentId, policy, attempt, 'shadow')}`;
    if (commandIds.size >= COMMAND_IDS_KEPT) commandIds.clear();
    commandIds.set(key, id);
  }
  return id;
}

export function decisionIdFor(eventId: string, kind: 'main' | 'shadow' = 'main'): string {
  return `dec-${digest(eventId, kind)}`;
}

export function escalationIdFor(...parts: (string | number)[]): string {
  return `esc-${digest(...parts)}`;
}
