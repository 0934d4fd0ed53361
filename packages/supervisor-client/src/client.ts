import { HealstreamError, isErrorCode, type ErrorCode } from '@healstream/contracts';
import type { ComponentStatus } from './status.js';

/**
 * A failed call of the control API, with the supervisor's code (AT_MAX_REPLICAS, ...). 5xx, 429
 * and network failures are worth retrying; other answers are refusals.
 */
export class SupervisorCallError extends HealstreamError {
  constructor(
    message: string,
    readonly status: number | null,
    code: ErrorCode,
  ) {
    super(code, message, { retriable: status === null || status >= 500 || status === 429 });
  }
}

export interface CallOptions {
  signal?: AbortSignal;
  /** The supervisor runs a mutating call at most once per key. */
  idempotencyKey?: string;
}

/** Client of a supervisor's control API (the demo fleet's is packages/fleet). */
export class SupervisorClient {
  /** `token`: the control API's bearer token, required for every state-changing call. */
  constructor(
    readonly baseUrl: string,
    private readonly token = '',
  ) {}

  status(options: CallOptions = {}): Promise<{ components: ComponentStatus[] }> {
    return this.call('GET', '/status', undefined, options) as Promise<{
      components: ComponentStatus[];
    }>;
  }

  component(id: string, options: CallOptions = {}): Promise<ComponentStatus> {
    return this.call(
      'GET',
      `/components/${encodeURIComponent(id)}`,
      undefined,
      options,
    ) as Promise<ComponentStatus>;
  }

  /** POST /components/:id/:operation (operation may be `hooks/<name>`). */
  operate(
    id: string,
    operation: string,
    body: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<Record<string, unknown>> {
    return this.call(
      'POST',
      `/components/${encodeURIComponent(id)}/${operation}`,
      body,
      options,
    ) as Promise<Record<string, unknown>>;
  }

  private async call(
    method: string,
    path: string,
    body: unknown,
    options: CallOptions,
  ): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new SupervisorCallError(
        `fleet supervisor at ${this.baseUrl} unreachable: ${(error as Error).message}`,
        null,
        'UNREACHABLE',
      );
    }
    const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      throw new SupervisorCallError(
        String(answer['error'] ?? `${method} ${path} answered ${res.status}`),
        res.status,
        isErrorCode(answer['code']) ? answer['code'] : 'HTTP_ERROR',
      );
    }
    return answer;
  }
}
