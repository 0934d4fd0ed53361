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

/**
 * The sink refused our credentials (401/403): a rotated or revoked key. Not the page's fault and
 * not permanent for it: retried with backoff (the page waits, never dropped) and counted so an
 * alert tells someone to fix the key.
 */
export class SinkAuthError extends TransientError {
  constructor(
    readonly sink: string,
    readonly status: number,
  ) {
    super(
      'SINK_AUTH_FAILED',
      `${sink} refused healstream's credentials: HTTP ${status} (check the sink's key or token)`,
    );
  }
}

/**
 * Where a request went, fit for a log line: scheme, host and port only. A webhook URL's path or
 * query is often the secret itself (Slack's incoming webhooks), and userinfo always is.
 */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    const hidden = u.pathname !== '/' || u.search !== '' || u.username !== '' ? '/…' : '';
    return `${u.protocol}//${u.host}${hidden}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** The sink answered that it will never take this page (a 4xx other than 401/403/408/429). */
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

// Credentials refused are not worth a quick retry: the consumer loop's backoff retries them.
const transient = (error: unknown) =>
  (error instanceof TransientError && !(error instanceof SinkAuthError)) ||
  error instanceof TaskCancelledError;

/**
 * POSTs with a per-call timeout and one quick retry (cockatiel). Down (refused, reset, timeout,
 * 5xx, 408, 429) → TransientError, so the transaction retries and the page is never lost;
 * credentials refused (401, 403) → SinkAuthError, retried the same way; other 4xx →
 * SinkRejectedError. No message carries the URL's path, query or userinfo.
 */
export async function httpPost(options: HttpPostOptions): Promise<void> {
  const { sink, url, body, headers, timeoutMs } = options;
  const where = redactedUrl(url);
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
          `${sink}: POST ${where} failed: ${describe(error)}`,
          error,
        );
      }
      const text = (await response.text().catch(() => '')).slice(0, 300).trim();
      if (response.ok) return;
      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        throw new TransientError(
          'SINK_UNAVAILABLE',
          `${sink}: POST ${where} answered HTTP ${response.status}${text ? ` ${text}` : ''}`,
        );
      }
      if (response.status === 401 || response.status === 403)
        throw new SinkAuthError(sink, response.status);
      throw new SinkRejectedError(sink, response.status, text);
    });
  } catch (error) {
    if (error instanceof TaskCancelledError) {
      throw new TransientError(
        'SINK_UNAVAILABLE',
        `${sink}: POST ${where} timed out after ${timeoutMs} ms`,
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
