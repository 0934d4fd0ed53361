import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { logLevel } from 'kafkajs';
import { kafkaLogCreator } from './logger.js';

function capture() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const entry = (level: logLevel, message: string, extra: Record<string, unknown> = {}) => ({
  namespace: 'Connection',
  level,
  label: 'ERROR',
  log: { timestamp: '2026-01-01T00:00:00.000Z', message, ...extra },
});

describe('kafkajs logs', () => {
  it('logs the CONCURRENT_TRANSACTIONS answers kafkajs retries itself at debug, other errors at error', () => {
    const { logger, lines } = capture();
    const log = kafkaLogCreator(logger)(logLevel.ERROR);
    log(
      entry(logLevel.ERROR, 'Response InitProducerId(key: 22, version: 1)', {
        error:
          'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      }),
    );
    log(
      entry(logLevel.ERROR, 'Response EndTxn(key: 26, version: 1)', {
        error: 'The broker received an out of order sequence number',
      }),
    );
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [20, 'Response InitProducerId(key: 22, version: 1)'],
      [50, 'Response EndTxn(key: 26, version: 1)'],
    ]);
  });
});
