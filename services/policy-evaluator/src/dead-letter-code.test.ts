import { describe, expect, it } from 'vitest';
import type { KafkaMessage } from 'kafkajs';
import { isRetriable } from '@healstream/contracts';
import { restoreState } from '@healstream/core';
import { deadLetter, dlqHeaders, readDeadLetterHeaders } from '@healstream/runtime';

describe('a core validation error in a dead letter', () => {
  it('keeps its own code and class in the headers, not a generic HANDLER_REJECTED', () => {
    let thrown: unknown;
    try {
      restoreState({ version: 'not a state' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(isRetriable(thrown)).toBe(false);
    const message: KafkaMessage = {
      key: Buffer.from('payments'),
      value: Buffer.from('{}'),
      offset: '7',
      timestamp: '1700000000000',
      attributes: 0,
      headers: {},
    };
    const letter = deadLetter(message, thrown, {
      topic: 'hs.healing-outcomes',
      partition: 3,
      service: 'policy-evaluator',
      now: 1_700_000_000_500,
    });
    const headers = readDeadLetterHeaders(letter.message.headers);
    expect(headers.errorCode).toBe('STATE_INVALID');
    expect(headers.errorClass).toBe('PoisonRecordError');
    expect(letter.message.headers?.[dlqHeaders.errorMessage]).toMatch(
      /^policy-evaluator state is invalid/,
    );
    expect(letter.topic).toBe('hs.healing-outcomes.dlq');
  });
});
