import type { ComponentStatus } from './supervisor/supervisor.js';

/** A failed call of the control API. 5xx and network failures are worth retrying, 4xx are not. */
export class FleetControlError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string,
  ) {
    super(message);
    this.name = 'FleetControlError';
  }

  get retriable(): boolean {
    return this.status === null || this.status >= 500 || this.status === 429;
  }
}

export interface CallOptions {
  signal?: AbortSignal;
  /** The supervisor runs a mutating call at most once per key. */
  idempotencyKey?: string;
}

/** Client of the supervisor's control API (see startControlServer). */
export class FleetClient {
  constructor(readonly baseUrl: string) {}

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
          ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new FleetControlError(
        `fleet supervisor at ${this.baseUrl} unreachable: ${(error as Error).message}`,
        null,
        'UNREACHABLE',
      );
    }
    const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      throw new FleetControlError(
        String(answer['error'] ?? `${method} ${path} answered ${res.status}`),
        res.status,
        String(answer['code'] ?? 'HTTP_ERROR'),
      );
    }
    return answer;
  }
}
