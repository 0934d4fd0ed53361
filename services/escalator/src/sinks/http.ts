import {
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  handleWhen,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import { PoisonRecordError, TransientError } from '@healstream/contracts';

/** The sink answered that it will never take this page (a 4xx other than 408/429). */
export class SinkRejectedError extends PoisonRecordError {
  constructor(
    readonly sink: string,
    readonly status: number,
    body: string,
  ) {
    super('HANDLER_REJECTED', `${sink} rejected the page: HTTP ${status}${body ? ` ${body}` : ''}`);
  }
}

export interface HttpPostOptions {
  sink: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Retries inside one delivery, for blips; the consumer loop's backoff handles longer outages. */
  retries?: number;
}

const transient = (error: unknown) =>
  error instanceof TransientError || error instanceof TaskCancelledError;

/**
 * POSTs with a per-call timeout and one quick retry (cockatiel). Down (refused, reset, timeout,
 * 5xx, 408, 429) → TransientError, so the transaction retries and the page is never lost;
 * other 4xx → SinkRejectedError.
 */
export async function httpPost(options: HttpPostOptions): Promise<void> {
  const { sink, url, body, headers, timeoutMs } = options;
  const policy = wrap(
    retry(handleWhen(transient), {
      maxAttempts: options.retries ?? 1,
      backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 1000 }),
    }),
    timeout(timeoutMs, TimeoutStrategy.Aggressive),
  );
  try {
    await policy.execute(async ({ signal }) => {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', ...headers },
          signal,
        });
      } catch (error) {
        if (error instanceof TaskCancelledError) throw error;
        throw new TransientError(
          'SINK_UNAVAILABLE',
          `${sink}: POST ${url} failed: ${describe(error)}`,
          error,
        );
      }
      const text = (await response.text().catch(() => '')).slice(0, 300).trim();
      if (response.ok) return;
      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        throw new TransientError(
          'SINK_UNAVAILABLE',
          `${sink}: POST ${url} answered HTTP ${response.status}${text ? ` ${text}` : ''}`,
        );
      }
      throw new SinkRejectedError(sink, response.status, text);
    });
  } catch (error) {
    if (error instanceof TaskCancelledError) {
      throw new TransientError(
        'SINK_UNAVAILABLE',
        `${sink}: POST ${url} timed out after ${timeoutMs} ms`,
        error,
      );
    }
    throw error;
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const own = error instanceof Error ? error.message : String(error);
  return cause?.code
    ? `${own} (${cause.code})`
    : cause?.message
      ? `${own} (${cause.message})`
      : own;
}
