import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const KAFKA_VERSION = '4.3.1';
export const REGISTRY_VERSION = '3.0.9';

/** Where the embedded infrastructure lives and listens. Read once from the environment. */
export interface InfraSettings {
  repoRoot: string;
  /** Project-local folder for data, pids and logs (`.healstream/`). */
  home: string;
  /** Where downloads are kept (Maven repository, Kafka jars, registry); defaults to `home`. */
  cache: string;
  kafkaPort: number;
  controllerPort: number;
  registryPort: number;
  java: string;
  kafkaHeap: string;
  registryHeap: string;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got '${raw}'`);
  }
  return value;
}

export function infraSettings(env: NodeJS.ProcessEnv = process.env): InfraSettings {
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
  return Object.freeze({
    repoRoot,
    home: env['HEALSTREAM_HOME'] || join(repoRoot, '.healstream'),
    cache: env['HEALSTREAM_CACHE'] || env['HEALSTREAM_HOME'] || join(repoRoot, '.healstream'),
    kafkaPort: port(env, 'HEALSTREAM_KAFKA_PORT', 9092),
    controllerPort: port(env, 'HEALSTREAM_CONTROLLER_PORT', 9093),
    registryPort: port(env, 'HEALSTREAM_REGISTRY_PORT', 8081),
    java: env['JAVA_HOME'] ? join(env['JAVA_HOME'], 'bin', 'java') : 'java',
    kafkaHeap: env['HEALSTREAM_KAFKA_HEAP'] || '768m',
    registryHeap: env['HEALSTREAM_REGISTRY_HEAP'] || '384m',
  });
}

export function paths(s: InfraSettings) {
  return {
    m2: join(s.cache, 'm2'),
    kafkaLibs: join(s.cache, 'kafka', KAFKA_VERSION, 'libs'),
    registryDir: join(s.cache, 'registry', REGISTRY_VERSION),
    registryJar: join(
      s.cache,
      'registry',
      REGISTRY_VERSION,
      `apicurio-registry-app-${REGISTRY_VERSION}-runner.jar`,
    ),
    data: join(s.home, 'data'),
    kafkaData: join(s.home, 'data', 'kafka'),
    registryData: join(s.home, 'data', 'registry'),
    run: join(s.home, 'run'),
    logs: join(s.home, 'logs'),
  };
}

export function brokerAddress(s: InfraSettings): string {
  return `127.0.0.1:${s.kafkaPort}`;
}

export function registryUrl(s: InfraSettings): string {
  return `http://127.0.0.1:${s.registryPort}/apis/ccompat/v7`;
}
