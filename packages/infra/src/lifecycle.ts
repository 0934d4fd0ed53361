import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureKafka, ensureRegistry, missingDownloads } from './fetch.js';
import { reportGrowth } from './progress.js';
import { kafkaAcceptsProduce, registryAnswers, waitFor } from './health.js';
import {
  managed,
  residentMiB,
  runningPid,
  startDetached,
  stop,
  type ManagedProcess,
} from './processes.js';
import { brokerAddress, paths, registryUrl, type InfraSettings } from './settings.js';

const run = promisify(execFile);

function processes(s: InfraSettings): { kafka: ManagedProcess; registry: ManagedProcess } {
  const p = paths(s);
  return {
    kafka: managed('kafka', p.run, p.logs, `healstream.infra=kafka:${s.kafkaPort}`),
    registry: managed('registry', p.run, p.logs, `healstream.infra=registry:${s.registryPort}`),
  };
}

export interface ComponentStatus {
  name: 'kafka' | 'registry';
  running: boolean;
  healthy: boolean;
  pid?: number;
  rssMiB?: number;
  address: string;
  logFile: string;
}

export interface UpReport {
  kafka: { started: boolean; downloaded: boolean };
  registry: { started: boolean; downloaded: boolean };
  seconds: number;
  brokers: string;
  registryUrl: string;
}

/**
 * The broker's server.properties: the repository's template with the settings' ports and the data
 * folder filled in, and each of `overrides` replacing its key's line (or added after the rest), so
 * a broker with other listeners (the secured one of the tests) is otherwise the same broker.
 */
export function kafkaServerProperties(
  s: InfraSettings,
  overrides: Record<string, string> = {},
  dataDir = paths(s).kafkaData,
): string {
  const template = readFileSync(
    join(s.repoRoot, 'infra', 'kafka', 'server.properties.template'),
    'utf8',
  );
  const values: Record<string, string> = {
    KAFKA_PORT: String(s.kafkaPort),
    CONTROLLER_PORT: String(s.controllerPort),
    DATA_DIR: dataDir,
  };
  const filled = template.replace(
    /\$\{(\w+)\}/g,
    (_, name: string) => values[name] ?? `\${${name}}`,
  );
  const left = new Map(Object.entries(overrides));
  const lines = filled.split('\n').map((line) => {
    const key = /^([\w.-]+)=/.exec(line)?.[1];
    const value = key === undefined ? undefined : left.get(key);
    if (key === undefined || value === undefined) return line;
    left.delete(key);
    return `${key}=${value}`;
  });
  const added = [...left].map(([key, value]) => `${key}=${value}`);
  return [...lines.filter((l, i) => l !== '' || i < lines.length - 1), ...added, ''].join('\n');
}

/** Formats a new broker's storage (KRaft, standalone controller); `extra` adds StorageTool flags. */
export async function formatKafkaStorage(
  s: InfraSettings,
  config: string,
  extra: string[] = [],
): Promise<void> {
  const clusterId = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
  await run(s.java, [
    ...kafkaJava(s),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    config,
    '--standalone',
    ...extra,
  ]);
}

/** The JVM flags every broker tool runs with: the repository's log4j2 and the Kafka jars. */
export function kafkaJava(s: InfraSettings): string[] {
  return [
    `-Dlog4j2.configurationFile=${join(s.repoRoot, 'infra', 'kafka', 'log4j2.yaml')}`,
    '-cp',
    join(paths(s).kafkaLibs, '*'),
  ];
}

async function startKafka(s: InfraSettings, proc: ManagedProcess): Promise<void> {
  const p = paths(s);
  mkdirSync(p.run, { recursive: true });
  const config = join(p.run, 'server.properties');
  writeFileSync(config, kafkaServerProperties(s));
  const java = kafkaJava(s);
  if (!existsSync(join(p.kafkaData, 'meta.properties'))) {
    mkdirSync(p.kafkaData, { recursive: true });
    await formatKafkaStorage(s, config);
  }
  startDetached(
    proc,
    s.java,
    [
      `-Xmx${s.kafkaHeap}`,
      `-Xms${s.kafkaHeap}`,
      `-D${proc.marker}`,
      ...java,
      'kafka.Kafka',
      config,
    ],
    p.run,
  );
}

function startRegistry(s: InfraSettings, proc: ManagedProcess): void {
  const p = paths(s);
  mkdirSync(p.registryData, { recursive: true });
  startDetached(
    proc,
    s.java,
    [
      `-Xmx${s.registryHeap}`,
      `-D${proc.marker}`,
      `-Dquarkus.http.port=${s.registryPort}`,
      '-Dquarkus.http.host=127.0.0.1',
      // H2 in a file, not the distribution's in-memory default: a schema id is written into
      // every record, so ids must survive a registry restart. An empty registry numbers the
      // schemas again in the order services happen to register them, and a service that
      // registered after the restart then reads another record type under an id that services
      // which registered before it still use (the records dead-letter as undecodable).
      `-Dapicurio.datasource.url=jdbc:h2:file:${join(p.registryData, 'registry')}`,
      '-Dquarkus.log.level=WARN',
      '-jar',
      p.registryJar,
    ],
    p.registryDir,
  );
}

/**
 * Starts the local Kafka broker and schema registry unless they already run, fetching them
 * with Maven on first use. Returns once the broker accepts a produce and the registry answers.
 */
export async function up(
  s: InfraSettings,
  log: (line: string) => void = () => {},
): Promise<UpReport> {
  const started = Date.now();
  const procs = processes(s);
  const missing = missingDownloads(s);
  const megabytes = missing.reduce((sum, d) => sum + d.megabytes, 0);
  if (missing.length > 0)
    log(
      `first start: fetching ${missing.map((d) => `${d.what} (about ${d.megabytes} MB)`).join(' and ')} ` +
        `from Maven Central into ${paths(s).m2}: about ${Math.ceil(megabytes / 60)} min at 1 MB/s, ` +
        'a minute on a fast link; with the first start, a cold start takes 1–4 minutes (later starts 10–30 s)',
    );
  const stopReporting = missing.length > 0 ? reportGrowth(paths(s).m2, megabytes, log) : () => {};
  const [kafkaDownloaded, registryDownloaded] = await Promise.all([
    ensureKafka(s).then((d) => (d && log(`fetched Kafka into ${paths(s).kafkaLibs}`), d)),
    ensureRegistry(s).then(
      (d) => (d && log(`fetched the schema registry into ${paths(s).registryDir}`), d),
    ),
  ]).finally(stopReporting);
  const kafkaStarted = runningPid(procs.kafka) === undefined;
  if (kafkaStarted) await startKafka(s, procs.kafka);
  const registryStarted = runningPid(procs.registry) === undefined;
  if (registryStarted) startRegistry(s, procs.registry);

  const failedEarly = (proc: ManagedProcess) => () => {
    if (runningPid(proc) === undefined) {
      throw new Error(`${proc.name} exited during start-up; see ${proc.logFile}`);
    }
  };
  await Promise.all([
    waitFor(
      'kafka to accept a produce',
      () => kafkaAcceptsProduce(brokerAddress(s)),
      120_000,
      failedEarly(procs.kafka),
    ),
    waitFor(
      'the schema registry to answer',
      () => registryAnswers(registryUrl(s)),
      120_000,
      failedEarly(procs.registry),
    ),
  ]);
  return {
    kafka: { started: kafkaStarted, downloaded: kafkaDownloaded },
    registry: { started: registryStarted, downloaded: registryDownloaded },
    seconds: (Date.now() - started) / 1000,
    brokers: brokerAddress(s),
    registryUrl: registryUrl(s),
  };
}

/** Stops both; with `clean`, removes their data too (the download cache stays). */
export async function down(s: InfraSettings, options: { clean?: boolean } = {}): Promise<string[]> {
  const procs = processes(s);
  const stopped: string[] = [];
  // The registry first: it holds no state the broker needs.
  if (await stop(procs.registry)) stopped.push('registry');
  if (await stop(procs.kafka)) stopped.push('kafka');
  if (options.clean) rmSync(paths(s).data, { recursive: true, force: true });
  return stopped;
}

export async function status(s: InfraSettings): Promise<ComponentStatus[]> {
  const procs = processes(s);
  const kafkaPid = runningPid(procs.kafka);
  const registryPid = runningPid(procs.registry);
  return [
    {
      name: 'kafka',
      running: kafkaPid !== undefined,
      healthy: kafkaPid !== undefined && (await kafkaAcceptsProduce(brokerAddress(s))),
      ...(kafkaPid !== undefined ? { pid: kafkaPid, rssMiB: residentMiB(kafkaPid) } : {}),
      address: brokerAddress(s),
      logFile: procs.kafka.logFile,
    },
    {
      name: 'registry',
      running: registryPid !== undefined,
      healthy: registryPid !== undefined && (await registryAnswers(registryUrl(s))),
      ...(registryPid !== undefined ? { pid: registryPid, rssMiB: residentMiB(registryPid) } : {}),
      address: registryUrl(s),
      logFile: procs.registry.logFile,
    },
  ];
}

export function logFiles(s: InfraSettings): Record<'kafka' | 'registry', string> {
  const procs = processes(s);
  return { kafka: procs.kafka.logFile, registry: procs.registry.logFile };
}
