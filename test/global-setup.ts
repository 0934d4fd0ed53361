import type { TestProject } from 'vitest/node';
import { down, infraSettings, up } from '@healstream/infra';
import { quietKafkajsTimerWarnings } from '@healstream/runtime';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    schemaRegistryUrl: string;
  }
}

/**
 * Integration tests run against a real broker and registry: those named by KAFKA_BROKERS and
 * SCHEMA_REGISTRY_URL when set, else the embedded local ones, started here and stopped after
 * the run if this run started them. HEALSTREAM_TEST_INFRA=containers starts them as Docker
 * containers with testcontainers instead (machines with a Docker engine; untested here).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  quietKafkajsTimerWarnings();
  const brokers = process.env['KAFKA_BROKERS'];
  const registry = process.env['SCHEMA_REGISTRY_URL'];
  if (brokers && registry) {
    project.provide('kafkaBrokers', brokers);
    project.provide('schemaRegistryUrl', registry);
    return async () => {};
  }
  const mode = process.env['HEALSTREAM_TEST_INFRA'] ?? 'embedded';
  if (mode !== 'embedded' && mode !== 'containers')
    throw new Error(`HEALSTREAM_TEST_INFRA must be embedded or containers, got '${mode}'`);
  if (mode === 'containers') {
    const { startContainerInfra } = await import('./support/containers.js');
    const infra = await startContainerInfra();
    console.log(`[infra] containers: kafka ${infra.brokers}, registry ${infra.registryUrl}`);
    project.provide('kafkaBrokers', infra.brokers);
    project.provide('schemaRegistryUrl', infra.registryUrl);
    return () => infra.stop();
  }
  const settings = infraSettings();
  const report = await up(settings, (line) => console.log(`[infra] ${line}`));
  console.log(
    `[infra] kafka ${report.brokers}, registry ${report.registryUrl} ready in ${report.seconds.toFixed(1)}s`,
  );
  project.provide('kafkaBrokers', report.brokers);
  project.provide('schemaRegistryUrl', report.registryUrl);
  const startedHere = report.kafka.started || report.registry.started;
  return async () => {
    if (startedHere && !process.env['HEALSTREAM_KEEP_INFRA']) await down(settings);
  };
}
