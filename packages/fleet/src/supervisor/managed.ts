import type { ComponentStatus } from '@healstream/supervisor-client';
import { SupervisorError, type Managed, type Release } from './supervisor-types.js';

/** A managed component as the control API shows it. */
export function describeManaged(m: Managed): ComponentStatus {
  return {
    id: m.spec.id,
    version: m.release.version,
    defective: m.release.defective,
    history: m.history.map((r) => r.version),
    maxReplicas: m.spec.maxReplicas,
    instances: m.instances.map((i) => ({ ...i.info })),
  };
}

/** The release a rollback goes to (the previous one, or the given version) and its place in the history. */
export function rollbackTarget(
  m: Managed,
  toVersion: string | undefined,
): { index: number; target: Release } {
  const index =
    toVersion === undefined
      ? m.history.length - 1
      : m.history.map((r) => r.version).lastIndexOf(toVersion);
  const target = m.history[index];
  if (!target) {
    throw new SupervisorError(
      'NO_PREVIOUS_VERSION',
      toVersion
        ? `${m.spec.id} never ran version ${toVersion}`
        : `${m.spec.id} has no previous version to roll back to`,
      409,
    );
  }
  return { index, target };
}

/**
 * Runs an operation at most once per key among the last thousand: a second call with the key
 * gets the first run's promise; a run that failed may be tried again.
 */
export function runOnce<T>(
  runs: Map<string, Promise<unknown>>,
  key: string | undefined,
  operation: () => Promise<T>,
): Promise<T> {
  if (!key) return operation();
  const existing = runs.get(key);
  if (existing) return existing as Promise<T>;
  const running = operation();
  runs.set(key, running);
  running.catch(() => runs.delete(key));
  if (runs.size > 1000) runs.delete(runs.keys().next().value as string);
  return running;
}
