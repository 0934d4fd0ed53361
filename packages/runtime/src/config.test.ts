import { describe, expect, it } from 'vitest';
import { ConfigError } from '@healstream/contracts';
import { baseEnvSchema, loadConfig } from '@healstream/runtime';

const good = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7/',
};

describe('loadConfig', () => {
  it('parses, converts and freezes', () => {
    const config = loadConfig(baseEnvSchema, {
      ...good,
      KAFKA_BROKERS: 'a:1, b:2',
      HEALSTREAM_PARTITIONS: '6',
    });
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.SCHEMA_REGISTRY_URL).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.HEALSTREAM_PARTITIONS).toBe(6);
    expect(config.HEALSTREAM_TOPIC_PREFIX).toBe('healstream.');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes the fetch wait and the partitions handled at once, within bounds', () => {
    const defaults = loadConfig(baseEnvSchema, good);
    expect(defaults.KAFKA_FETCH_MAX_WAIT_MS).toBe(100);
    expect(defaults.HEALSTREAM_PARTITIONS_CONCURRENTLY).toBeUndefined();
    const set = loadConfig(baseEnvSchema, {
      ...good,
      KAFKA_FETCH_MAX_WAIT_MS: '20',
      HEALSTREAM_PARTITIONS_CONCURRENTLY: '3',
    });
    expect(set.KAFKA_FETCH_MAX_WAIT_MS).toBe(20);
    expect(set.HEALSTREAM_PARTITIONS_CONCURRENTLY).toBe(3);
    expect(() => loadConfig(baseEnvSchema, { ...good, KAFKA_FETCH_MAX_WAIT_MS: '0' })).toThrow(
      /KAFKA_FETCH_MAX_WAIT_MS must be at least 1/,
    );
  });

  it('leaves fetch size and transaction size to the service unless set', () => {
    const defaults = loadConfig(baseEnvSchema, good);
    expect(defaults.KAFKA_FETCH_MAX_BYTES_PER_PARTITION).toBeUndefined();
    expect(defaults.HEALSTREAM_MAX_RECORDS_PER_TRANSACTION).toBeUndefined();
    const set = loadConfig(baseEnvSchema, {
      ...good,
      KAFKA_FETCH_MAX_BYTES_PER_PARTITION: '4194304',
      HEALSTREAM_MAX_RECORDS_PER_TRANSACTION: '20000',
    });
    expect(set.KAFKA_FETCH_MAX_BYTES_PER_PARTITION).toBe(4194304);
    expect(set.HEALSTREAM_MAX_RECORDS_PER_TRANSACTION).toBe(20000);
    expect(() =>
      loadConfig(baseEnvSchema, { ...good, HEALSTREAM_MAX_RECORDS_PER_TRANSACTION: '0' }),
    ).toThrow(/HEALSTREAM_MAX_RECORDS_PER_TRANSACTION must be at least 1/);
  });

  it('names a missing KAFKA_BROKERS', () => {
    expect(() =>
      loadConfig(baseEnvSchema, { SCHEMA_REGISTRY_URL: good.SCHEMA_REGISTRY_URL }),
    ).toThrow(/KAFKA_BROKERS is required/);
  });

  it('names a malformed registry URL and shows the value', () => {
    expect(() =>
      loadConfig(baseEnvSchema, { ...good, SCHEMA_REGISTRY_URL: 'localhost:8081' }),
    ).toThrow(/SCHEMA_REGISTRY_URL must be an http\(s\) URL.*got 'localhost:8081'/);
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig(baseEnvSchema, {
        KAFKA_BROKERS: 'nohost',
        SCHEMA_REGISTRY_URL: 'x',
        HEALSTREAM_PARTITIONS: '0',
      });
      expect.fail('should throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variables.sort()).toEqual([
        'HEALSTREAM_PARTITIONS',
        'KAFKA_BROKERS',
        'SCHEMA_REGISTRY_URL',
      ]);
    }
  });
});
