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
  /**
   * Brokers wanted (1, or 3 for a replicated cluster); undefined: as many as the local data was
   * made with (1 when there is none yet).
   */
  brokers: number | undefined;
  /** Client port of each broker of a cluster (by default the single broker's port and +2, +4). */
  kafkaPorts: number[];
  /** Controller port of each broker of a cluster (likewise from `controllerPort`). */
  controllerPorts: number[];
  registryPort: number;
  java: string;
  kafkaHeap: string;
  /**
   * JVM options of each local broker (HEALSTREAM_KAFKA_JAVA_OPTS, split on spaces; set it empty
   * for the JVM's own defaults). By default the client compiler alone and the serial collector:
   * on a small machine the broker shares with the services, C2's compilations and G1's threads
   * in its first minutes take the cores the stages need (docs/performance.md, "The local
   * broker's JVM").
   */
  kafkaJavaOpts: string[];
  registryHeap: string;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return parsePort(name, env[name], fallback);
}

function parsePort(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got '${raw}'`);
  }
  return value;
}

/** `HEALSTREAM_KAFKA_PORTS=a,b,c`: the ports of a cluster's three brokers, if given. */
function portList(env: NodeJS.ProcessEnv, name: string): number[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const list = raw.split(',').map((p) => parsePort(name, p.trim() || '(empty)', 0));
  if (list.length !== 3) throw new Error(`${name} must list three ports, got '${raw}'`);
  return list;
}

/** A cluster's ports: as listed, else every other port from the single broker's (9092, 9094, 9096). */
function clusterPorts(env: NodeJS.ProcessEnv, name: string, first: number): number[] {
  return portList(env, name) ?? [first, first + 2, first + 4];
}

/** `HEALSTREAM_BROKERS`: 1, or 3 for a replicated cluster; unset leaves it to the local data. */
export function brokerCount(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw !== '1' && raw !== '3')
    throw new Error(`brokers must be 1 or 3 (a cluster of three replicas), got '${raw}'`);
  return Number(raw);
}

/** The local broker's JVM options unless HEALSTREAM_KAFKA_JAVA_OPTS says otherwise. */
export const LOCAL_BROKER_JAVA_OPTS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

export function infraSettings(env: NodeJS.ProcessEnv = process.env): InfraSettings {
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
  const kafkaPort = port(env, 'HEALSTREAM_KAFKA_PORT', 9092);
  const controllerPort = port(env, 'HEALSTREAM_CONTROLLER_PORT', 9093);
  return Object.freeze({
    repoRoot,
    home: env['HEALSTREAM_HOME'] || join(repoRoot, '.healstream'),
    cache: env['HEALSTREAM_CACHE'] || env['HEALSTREAM_HOME'] || join(repoRoot, '.healstream'),
    kafkaPort,
    controllerPort,
    brokers: brokerCount(env['HEALSTREAM_BROKERS']),
    kafkaPorts: clusterPorts(env, 'HEALSTREAM_KAFKA_PORTS', kafkaPort),
    controllerPorts: clusterPorts(env, 'HEALSTREAM_CONTROLLER_PORTS', controllerPort),
    registryPort: port(env, 'HEALSTREAM_REGISTRY_PORT', 8081),
    java: env['JAVA_HOME'] ? join(env['JAVA_HOME'], 'bin', 'java') : 'java',
    kafkaHeap: env['HEALSTREAM_KAFKA_HEAP'] || '768m',
    kafkaJavaOpts: (env['HEALSTREAM_KAFKA_JAVA_OPTS'] ?? LOCAL_BROKER_JAVA_OPTS)
      .split(/\s+/)
      .filter(Boolean),
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

export function registryUrl(s: InfraSettings): string {
  return `http://127.0.0.1:${s.registryPort}/apis/ccompat/v7`;
}
