import { describe, expect, it } from 'vitest';
import { ConfigError } from '@healstream/contracts';
import { loadConfig } from '@healstream/runtime';
import { executorEnvSchema, settingsFrom, webhookSecrets } from './config.js';
import { testComponents } from './fixtures.test-support.js';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
};

describe('action-executor configuration', () => {
  it('has defaults for every setting and converts them to settings', () => {
    const settings = settingsFrom(loadConfig(executorEnvSchema, base));
    expect(settings).toMatchObject({
      verifyWindowMs: 15_000,
      verifyHealthyChecks: 3,
      maxAttempts: 3,
      actionTimeoutMs: 60_000,
    });
    expect(
      settingsFrom(loadConfig(executorEnvSchema, { ...base, VERIFY_WINDOW_MS: '5000' }))
        .verifyWindowMs,
    ).toBe(5000);
  });

  it('names a wrong variable', () => {
    expect(() => loadConfig(executorEnvSchema, { ...base, VERIFY_HEALTHY_CHECKS: '0' })).toThrow(
      /VERIFY_HEALTHY_CHECKS/,
    );
  });

  it('requires a signing secret for every http component', () => {
    const components = testComponents();
    expect(() => webhookSecrets(components, {}, undefined)).toThrow(ConfigError);
    expect(() => webhookSecrets(components, {}, undefined)).toThrow(/WEBHOOK_SECRET .*'runbook'/);
    expect(webhookSecrets(components, {}, 'sixteen-chars-or-more').get('runbook')).toBe(
      'sixteen-chars-or-more',
    );
  });
});
