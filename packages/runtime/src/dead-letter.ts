import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { HealstreamError, dlqName } from '@healstream/contracts';

/** Header names on every dead letter; the original record's own headers are kept too. */
export const dlqHeaders = {
  topic: 'healstream.dlq.original.topic',
  partition: 'healstream.dlq.original.partition',
  offset: 'healstream.dlq.original.offset',
  timestamp: 'healstream.dlq.original.timestamp',
  service: 'healstream.dlq.service',
  errorClass: 'healstream.dlq.error.class',
  errorCode: 'healstream.dlq.error.code',
  errorMessage: 'healstream.dlq.error.message',
  failedAt: 'healstream.dlq.failed.at',
} as const;

export interface DeadLetterContext {
  topic: string;
  partition: number;
  service: string;
  now: number;
}

export function errorCode(error: unknown): string {
  return error instanceof HealstreamError ? error.code : 'HANDLER_REJECTED';
}

/** The dead letter for a record: same key and bytes, headers naming where it came from and why. */
export function deadLetter(
  message: KafkaMessage,
  error: unknown,
  ctx: DeadLetterContext,
): { topic: string; message: Message } {
  const err = error instanceof Error ? error : new Error(String(error));
  const headers: IHeaders = {
    ...message.headers,
    [dlqHeaders.topic]: ctx.topic,
    [dlqHeaders.partition]: String(ctx.partition),
    [dlqHeaders.offset]: message.offset,
    [dlqHeaders.timestamp]: message.timestamp,
    [dlqHeaders.service]: ctx.service,
    [dlqHeaders.errorClass]: err.name,
    [dlqHeaders.errorCode]: errorCode(error),
    [dlqHeaders.errorMessage]: err.message.slice(0, 4000),
    [dlqHeaders.failedAt]: String(ctx.now),
  };
  return {
    topic: dlqName(ctx.topic),
    message: {
      key: message.key,
      value: message.value,
      headers,
      partition: ctx.partition,
      timestamp: message.timestamp,
    },
  };
}

/** Reads the dead-letter headers back (for the escalator and `healstream dlq`). */
export function readDeadLetterHeaders(
  headers: IHeaders | undefined,
): Record<keyof typeof dlqHeaders, string | undefined> {
  const text = (name: string) => {
    const value = headers?.[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  };
  return Object.fromEntries(
    Object.entries(dlqHeaders).map(([k, name]) => [k, text(name)]),
  ) as Record<keyof typeof dlqHeaders, string | undefined>;
}
