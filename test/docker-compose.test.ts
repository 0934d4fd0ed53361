import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KAFKA_VERSION, REGISTRY_VERSION, infraSettings } from '@healstream/infra';

// No Docker engine runs here, so the compose file is checked for what it must say, not run.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(`${infraSettings().repoRoot}/docker-compose.yml`, 'utf8')) as {
    services: Record<
      string,
      { image?: string; environment?: Record<string, unknown>; ports?: string[] }
    >;
  };

  it('runs the same Kafka as the embedded default, set up for transactions on one node', () => {
    const kafka = compose.services['kafka'];
    expect(kafka?.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(kafka?.environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(kafka?.environment?.['KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR']).toBe(1);
    expect(kafka?.environment?.['KAFKA_TRANSACTION_STATE_LOG_MIN_ISR']).toBe(1);
    expect(kafka?.ports).toContain('9092:9092');
  });

  it('runs the same registry, on the port the services expect', () => {
    const registry = compose.services['registry'];
    expect(registry?.image).toBe(`apicurio/apicurio-registry:${REGISTRY_VERSION}`);
    expect(registry?.ports).toContain('8081:8080');
  });
});

describe('docker-compose.yml services', () => {
  const compose = parse(readFileSync(`${infraSettings().repoRoot}/docker-compose.yml`, 'utf8'), {
    merge: true,
  }) as {
    services: Record<
      string,
      {
        command?: string[];
        environment?: Record<string, string>;
        depends_on?: Record<string, unknown>;
      }
    >;
  };

  it('runs each of the five services from its own main.ts, after the topics exist', () => {
    for (const name of [
      'detector',
      'diagnoser',
      'policy-evaluator',
      'action-executor',
      'escalator',
    ]) {
      const service = compose.services[name];
      expect(service?.command).toEqual(['node', '--import', 'tsx', `services/${name}/src/main.ts`]);
      expect(service?.environment?.['KAFKA_BROKERS']).toBe('kafka:19092');
      expect(service?.environment?.['SCHEMA_REGISTRY_URL']).toBe(
        'http://registry:8080/apis/ccompat/v7',
      );
      expect(Object.keys(service?.depends_on ?? {})).toContain('topics');
    }
    expect(compose.services['topics']?.command).toContain('create');
  });
});
