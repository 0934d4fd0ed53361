import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '@healstream/contracts';
import { baseEnvSchema, serviceParts } from '@healstream/runtime';

const env = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  HEALSTREAM_INSTANCE_ID: 'i-7',
  LOG_LEVEL: 'warn',
  EXTRA_SETTING: '3',
};

describe('serviceParts', () => {
  it("names the logger and the metrics after the service and the instance, over the service's own config", async () => {
    const schema = baseEnvSchema.extend({ EXTRA_SETTING: z.coerce.number() });
    const { config, logger, registry, kafka } = serviceParts('detector', schema, env);
    expect(config.EXTRA_SETTING).toBe(3);
    expect(logger.bindings()).toMatchObject({ service: 'detector', instance: 'i-7' });
    expect(logger.level).toBe('warn');
    expect(await registry.metrics()).toContain('service="detector"');
    expect(kafka.producer).toBeTypeOf('function');
  });

  it('fails with a ConfigError when the environment is wrong', () => {
    expect(() => serviceParts('detector', baseEnvSchema, { ...env, KAFKA_BROKERS: '' })).toThrow(
      ConfigError,
    );
  });
});
