/**
 * Error codes shared by every stage. The consumer loop decides retry / dead-letter / crash from
 * `retriable` alone, never from the message text.
 */
export const errorCodes = [
  'BAD_FRAMING',
  'UNKNOWN_SCHEMA',
  'DECODE_FAILED',
  'VALIDATION_FAILED',
  'HANDLER_REJECTED',
  'REGISTRY_UNAVAILABLE',
  'REGISTRY_REJECTED',
  'BROKER_UNAVAILABLE',
  'SINK_UNAVAILABLE',
  'CONFIG_INVALID',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export class HealstreamError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  constructor(code: ErrorCode, message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable;
  }
}

/** The record can never be processed as it is: it goes to the dead-letter topic. */
export class PoisonRecordError extends HealstreamError {
  constructor(code: ErrorCode, message: string, cause?: unknown) {
    super(code, message, { retriable: false, cause });
  }
}

/** Something outside is down for now (broker, registry, sink): retry with backoff, never skip. */
export class TransientError extends HealstreamError {
  constructor(code: ErrorCode, message: string, cause?: unknown) {
    super(code, message, { retriable: true, cause });
  }
}

/** True only for errors that say so; unknown errors are not retried forever. */
export function isRetriable(error: unknown): boolean {
  return error instanceof HealstreamError ? error.retriable : false;
}
