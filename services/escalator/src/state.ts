import type { Escalation } from '@healstream/contracts';
import type { KeyValue } from '@healstream/runtime';

export type { KeyValue };

/** A page that was delivered and not resolved yet; keeps what its resolution needs. */
export interface OpenPage {
  kind: 'page';
  page: Escalation;
  /** Record time the page was delivered; the dedup window starts here. */
  openedAt: number;
  lastSeenAt: number;
  /** False for pages nothing will resolve (dead letters, storm breaker): kept for dedup only. */
  resolvable: boolean;
  /** Triggers with the same dedup key inside the window that were not paged again. */
  suppressed: number;
  /**
   * Earlier pages sent under this dedup key with another source (a policy's alert-oncall, then
   * healing failed, then the ladder gave up): sinks that tell alerts apart by source (e.g.
   * Alertmanager's labels) hold one alert for each, and each is resolved with the incident.
   */
  earlier?: Escalation[];
}

/** What the escalator learned about an incident from commands and outcomes. */
export interface IncidentNotes {
  kind: 'incident';
  component: string;
  /** Context for the person paged: why policies acted. */
  context: string[];
  /** policy (attempt): action → result; verification, in order. */
  actionsTried: string[];
  /** Dedup keys of pages raised for the incident, to resolve them on recovery. */
  pages: string[];
  updatedAt: number;
}

/**
 * A page decided and recorded in its record's transaction, waiting to be delivered outside it
 * (the outbox). `delivering` is the write-ahead mark: the sink being called now, so after a
 * crash it is called again with the same dedup key (which the sink merges); `delivered` are the
 * sinks that took it, never called again.
 */
export interface OutboxEntry {
  kind: 'outbox';
  /** Order of delivery within the partition (pending entries only are compared). */
  seq: number;
  page: Escalation;
  sinks: string[];
  team: string | null;
  delivered: string[];
  rejected: { sink: string; reason: string }[];
  delivering: string | null;
  queuedAt: number;
}

export type Entry = OpenPage | IncidentNotes | OutboxEntry;

export const pageKey = (dedupKey: string) => `page:${dedupKey}`;
export const outboxKey = (page: Escalation) => `outbox:${page.escalationId}:${page.status}`;
export const incidentKey = (incidentId: string) => `incident:${incidentId}`;

/** Bounds on one incident's notes, so state stays small whatever the input. */
export const MAX_ACTIONS_TRIED = 20;
export const MAX_CONTEXT = 5;

/** Keeps the last `max` lines: the latest attempts matter most to the person paged. */
export function bounded(lines: string[], max: number): string[] {
  return lines.length <= max ? lines : lines.slice(lines.length - max);
}

export function readIncident(
  state: KeyValue<Entry>,
  incidentId: string,
): IncidentNotes | undefined {
  const entry = state.get(incidentKey(incidentId));
  return entry?.kind === 'incident' ? entry : undefined;
}

export function readPage(state: KeyValue<Entry>, dedupKey: string): OpenPage | undefined {
  const entry = state.get(pageKey(dedupKey));
  return entry?.kind === 'page' ? entry : undefined;
}

/**
 * Forgets what can no longer matter: pages that cannot be resolved (no incident) once their
 * dedup window passed, other pages and incident notes once idle for the TTL.
 */
export function prune(
  state: KeyValue<Entry>,
  now: number,
  limits: { dedupWindowMs: number; pageTtlMs: number },
): number {
  let removed = 0;
  for (const key of state.keys()) {
    const entry = state.get(key);
    // The outbox empties itself as its pages are delivered.
    if (!entry || entry.kind === 'outbox') continue;
    const expired =
      entry.kind === 'incident'
        ? now - entry.updatedAt > limits.pageTtlMs
        : !entry.resolvable
          ? now - entry.openedAt > limits.dedupWindowMs
          : now - entry.lastSeenAt > limits.pageTtlMs;
    if (expired) {
      state.delete(key);
      removed++;
    }
  }
  return removed;
}
