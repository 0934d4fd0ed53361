import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriable } from '@healstream/contracts';
import { backoffDelay } from './backoff.js';
import type { Logger } from './logger.js';

/**
 * Runs `attempt` until it succeeds, waiting with backoff after each retriable failure (a
 * registry that is down at start-up): a dependency that is down is waited for, not a reason to
 * exit. Non-retriable errors, and any error once `stopped()`, are thrown.
 */
export async function retryWhileTransient<T>(
  what: string,
  attempt: () => Promise<T>,
  options: {
    logger: Logger;
    backoff?: { initialMs: number; maxMs: number };
    stopped?: () => boolean;
    wait?: (ms: number) => Promise<unknown>;
  },
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetriable(error) || options.stopped?.()) throw error;
      const delayMs = backoffDelay(n, options.backoff ?? { initialMs: 500, maxMs: 30_000 });
      options.logger.warn({ err: error, attempt: n, delayMs }, `${what} failed; retrying`);
      await (options.wait ?? sleep)(delayMs);
    }
  }
}
