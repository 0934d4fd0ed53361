import type { Escalation } from '@healstream/contracts';

/** The part of PartitionState the logic uses; tests pass a Map-backed one. */
export interface KeyValue<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
  keys(): string[];
}

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

export type Entry = OpenPage | IncidentNotes;

/** Changes for one record, applied to the partition state only once the record is handled. */
export class Scratch<V> implements KeyValue<V> {
  private readonly changes = new Map<string, V | null>();
  constructor(private readonly base: KeyValue<V>) {}

  get(key: string): V | undefined {
    return this.changes.has(key) ? (this.changes.get(key) ?? undefined) : this.base.get(key);
  }
  set(key: string, value: V): void {
    this.changes.set(key, value);
  }
  delete(key: string): void {
    this.changes.set(key, null);
  }
  keys(): string[] {
    const keys = new Set(this.base.keys());
    for (const [k, v] of this.changes) {
      if (v === null) keys.delete(k);
      else keys.add(k);
    }
    return [...keys];
  }
  apply(): void {
    for (const [k, v] of this.changes) {
      if (v === null) this.base.delete(k);
      else this.base.set(k, v);
    }
    this.changes.clear();
  }
}

export const pageKey = (dedupKey: string) => `page:${dedupKey}`;
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
    if (!entry) continue;
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
