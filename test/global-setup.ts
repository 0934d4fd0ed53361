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
 * the run if this run started them.
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
