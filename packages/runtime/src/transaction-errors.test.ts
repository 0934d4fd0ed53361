import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { TransientError } from '@healstream/contracts';
import {
  FencedError,
  PermanentKafkaError,
  ProducerWedgedError,
  transactionOutcome,
} from './transaction-errors.js';

/** kafkajs wraps the last error of exhausted retries like this (its types omit the cause). */
const nonRetriable = (cause: Error) =>
  new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(cause, {
    cause,
  });

const protocol = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError({ message: type, type, code: 0, retriable } as unknown as Error);

describe('what a failed transaction means for its partition', () => {
  it('lets the partition go when fenced, in the error or in the abort', () => {
    const fenced = protocol('PRODUCER_FENCED', false);
    expect(transactionOutcome(fenced, false, 'done')).toBeInstanceOf(FencedError);
    expect(transactionOutcome(nonRetriable(fenced), true, 'not needed')).toBeInstanceOf(
      FencedError,
    );
    expect(transactionOutcome(new Error('x'), false, 'fenced')).toBeInstanceOf(FencedError);
  });

  it('reopens when the commit or abort failed midway, or the producer state is broken', () => {
    const lost = new KafkaJSConnectionError('Connection error');
    expect(transactionOutcome(lost, true, 'not needed')).toBeInstanceOf(ProducerWedgedError);
    expect(transactionOutcome(lost, false, 'failed')).toBeInstanceOf(ProducerWedgedError);
    expect(transactionOutcome(protocol('INVALID_TXN_STATE', false), false, 'done')).toBeInstanceOf(
      ProducerWedgedError,
    );
  });

  it('halts on non-retriable protocol errors, wrapped or not, and retries everything else', () => {
    const tooLarge = protocol('MESSAGE_TOO_LARGE', false);
    const wrapped = nonRetriable(tooLarge);
    for (const error of [tooLarge, wrapped]) {
      const outcome = transactionOutcome(error, false, 'done');
      expect(outcome).toBeInstanceOf(PermanentKafkaError);
      expect((outcome as PermanentKafkaError).type).toBe('MESSAGE_TOO_LARGE');
    }
    // Retries exhausted on a retriable error: still retriable, retried.
    const busy = protocol('NOT_LEADER_FOR_PARTITION', true);
    const exhausted = nonRetriable(busy);
    expect(transactionOutcome(exhausted, false, 'done')).toBe(exhausted);
    const sinkDown = new TransientError('SINK_UNAVAILABLE', 'down');
    expect(transactionOutcome(sinkDown, false, 'done')).toBe(sinkDown);
  });
});
