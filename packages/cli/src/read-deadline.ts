/** setTimeout takes at most this many ms; longer means "never" here. */
const NEVER_MS = 2 ** 31 - 1;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * When a read of a topic stops: after `idleMs` without a record, or `maxMs` after it began,
 * whichever comes first (an idle timeout alone never ends on a busy topic). Infinity: no limit.
 */
export function readDeadline(
  options: { idleMs: number; maxMs: number },
  stop: () => void,
  timers: Timers = {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  },
): { activity(): void; clear(): void } {
  const capped = (ms: number) => Math.min(ms, NEVER_MS);
  const total = timers.setTimeout(stop, capped(options.maxMs));
  let idle = timers.setTimeout(stop, capped(options.idleMs));
  return {
    activity() {
      timers.clearTimeout(idle);
      idle = timers.setTimeout(stop, capped(options.idleMs));
    },
    clear() {
      timers.clearTimeout(idle);
      timers.clearTimeout(total);
    },
  };
}
