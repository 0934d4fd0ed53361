import type { ControlScope } from '@healstream/contracts';
import type { ComponentRegistry } from '../components/registry.js';
import { matchesGlob } from '../glob.js';
import type { ControlLever } from './state.js';

export const WEEK_MS = 7 * 24 * 3_600_000;

/**
 * Whether a window or pause covers a component. `all` covers every one; otherwise each field
 * that is set must match: the component id (a glob, as in policy selectors), the team of its
 * on-call route in components.yaml, every label of its components.yaml entry. A scope with
 * nothing set covers nothing. Without a registry, team and label scopes cover nothing: there is
 * nothing to match them against.
 */
export function scopeCovers(
  scope: ControlScope,
  component: string,
  components: ComponentRegistry | null | undefined,
): boolean {
  if (scope.all) return true;
  const labels = Object.entries(scope.labels);
  if (scope.component === null && scope.team === null && labels.length === 0) return false;
  if (scope.component !== null && !matchesGlob(scope.component, component)) return false;
  const entry = components?.components.get(component);
  if (scope.team !== null && entry?.oncall?.team !== scope.team) return false;
  if (labels.length > 0 && !labels.every(([k, v]) => entry?.labels[k] === v)) return false;
  return true;
}

/** Whether the lever is in force at `at` (event time). Weekly: the same span every 7 days. */
export function leverActive(lever: ControlLever, at: number): boolean {
  const { startsAt, endsAt } = lever;
  if (lever.recurrence === 'weekly' && startsAt !== null && endsAt !== null) {
    if (at < startsAt) return false;
    return (at - startsAt) % WEEK_MS < endsAt - startsAt;
  }
  return (startsAt === null || at >= startsAt) && (endsAt === null || at < endsAt);
}

/** Whether the lever can never be in force again at or after `at`. */
export function leverExpired(lever: ControlLever, at: number): boolean {
  if (lever.recurrence === 'weekly' && lever.startsAt !== null && lever.endsAt !== null)
    return false;
  return lever.endsAt !== null && at >= lever.endsAt;
}

/** When the span in force at `at` ends (for reasons), or null when it does not end by itself. */
export function leverEndsAt(lever: ControlLever, at: number): number | null {
  const { startsAt, endsAt } = lever;
  if (lever.recurrence === 'weekly' && startsAt !== null && endsAt !== null) {
    const cycle = Math.floor((at - startsAt) / WEEK_MS);
    return startsAt + cycle * WEEK_MS + (endsAt - startsAt);
  }
  return endsAt;
}

export function describeScope(scope: ControlScope): string {
  if (scope.all) return 'the whole fleet';
  const parts = [
    ...(scope.component !== null ? [`component ${scope.component}`] : []),
    ...(scope.team !== null ? [`team ${scope.team}`] : []),
    ...Object.entries(scope.labels).map(([k, v]) => `label ${k}=${v}`),
  ];
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}
