import {
  BrokenCircuitError,
  BulkheadRejectedError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { ActionStatus } from '@healstream/contracts';
import type { ExecutorSettings } from './config.js';
import { ExecutorError } from './executors/types.js';

export interface GuardedResult {
  status: Extract<ActionStatus, 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT'>;
  error: string | null;
  detail: string | null;
  attempts: number;
}

/** Worth another attempt: the executor said so, or the attempt ran out of time. */
const transient = (error: unknown) =>
  (error instanceof ExecutorError && error.retriable) || error instanceof TaskCancelledError;

/**
 * Every action runs inside: a bulkhead per component (one action at a time, a short queue),
 * retries with exponential backoff and decorrelated jitter, a circuit breaker per executor
 * target (consecutive transient failures open it), and a timeout per attempt whose signal
 * aborts the call. All from cockatiel.
 */
export class Resilience {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly bulkheads = new Map<string, BulkheadPolicy>();

  constructor(private readonly settings: ExecutorSettings) {}

  breaker(target: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(target);
    if (!breaker) {
      breaker = circuitBreaker(handleWhen(transient), {
        halfOpenAfter: this.settings.breakerHalfOpenMs,
        breaker: new ConsecutiveBreaker(this.settings.breakerFailures),
      });
      this.breakers.set(target, breaker);
    }
    return breaker;
  }

  private bulkhead(component: string): BulkheadPolicy {
    let policy = this.bulkheads.get(component);
    if (!policy) {
      policy = bulkhead(1, this.settings.bulkheadQueue);
      this.bulkheads.set(component, policy);
    }
    return policy;
  }

  async run(
    component: string,
    target: string,
    call: (signal: AbortSignal) => Promise<string>,
  ): Promise<GuardedResult> {
    const { settings } = this;
    let attempts = 0;
    const policy = wrap(
      this.bulkhead(component),
      retry(handleWhen(transient), {
        maxAttempts: settings.maxAttempts - 1,
        backoff: new ExponentialBackoff({
          initialDelay: settings.backoffInitialMs,
          maxDelay: settings.backoffMaxMs,
        }),
      }),
      this.breaker(target),
      timeout(settings.actionTimeoutMs, TimeoutStrategy.Aggressive),
    );
    try {
      const detail = await policy.execute(({ signal }) => {
        attempts++;
        // A call that fails because its attempt timed out counts as the timeout.
        return call(signal).catch((error: unknown) => {
          throw signal.aborted ? new TaskCancelledError(`attempt ${attempts} timed out`) : error;
        });
      });
      return { status: 'SUCCEEDED', error: null, detail, attempts };
    } catch (error) {
      const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
      if (error instanceof TaskCancelledError)
        return {
          status: 'TIMED_OUT',
          error: `timed out (${settings.actionTimeoutMs} ms per attempt, ${tries})`,
          detail: null,
          attempts,
        };
      if (error instanceof BrokenCircuitError)
        return {
          status: 'FAILED',
          error: `CIRCUIT_OPEN: ${target} failed repeatedly; not called until the breaker half-opens`,
          detail: null,
          attempts,
        };
      if (error instanceof BulkheadRejectedError)
        return {
          status: 'FAILED',
          error: `BULKHEAD_FULL: too many actions queued for ${component}`,
          detail: null,
          attempts,
        };
      if (error instanceof ExecutorError)
        return {
          status: 'FAILED',
          error: `${error.code}: ${error.message} (${tries})`,
          detail: null,
          attempts,
        };
      return {
        status: 'FAILED',
        error: `INTERNAL: ${error instanceof Error ? error.message : String(error)}`,
        detail: null,
        attempts,
      };
    }
  }
}
