import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureKafka, ensureRegistry, missingDownloads } from './fetch.js';
import { reportGrowth } from './progress.js';
import { kafkaAcceptsProduce, registeredBrokers, registryAnswers, waitFor } from './health.js';
import {
  managed,
  residentMiB,
  runningPid,
  startDetached,
  stop,
  type ManagedProcess,
} from './processes.js';
import {
  brokerNodes,
  clusterAddress,
  prepareBrokers,
  startBroker,
  type BrokerNode,
} from './brokers.js';
import { paths, registryUrl, type InfraSettings } from './settings.js';

function registryProcess(s: InfraSettings): ManagedProcess {
  const p = paths(s);
  return managed('registry', p.run, p.logs, `healstream.infra=registry:${s.registryPort}`);
}

export interface ComponentStatus {
  /** `kafka` (or `kafka-1`… for each broker of a cluster) or `registry`. */
  name: string;
  running: boolean;
  healthy: boolean;
  pid?: number;
  rssMiB?: number;
  address: string;
  logFile: string;
}

export interface UpReport {
  /** `started`: some broker was not running and was started; `brokers`: how many there are. */
  kafka: { started: boolean; downloaded: boolean; brokers: number };
  registry: { started: boolean; downloaded: boolean };
  seconds: number;
  brokers: string;
  registryUrl: string;
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
 * Starts the local Kafka (one broker, or the three of a cluster) and schema registry unless they
 * already run, fetching them with Maven on first use. Returns once Kafka accepts a produce (and
 * every broker of a cluster has joined it) and the registry answers.
 */
export async function up(
  s: InfraSettings,
  log: (line: string) => void = () => {},
): Promise<UpReport> {
  const started = Date.now();
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
  const nodes = brokerNodes(s);
  const stopped = nodes.filter((n) => runningPid(n.proc) === undefined);
  if (stopped.length > 0) await prepareBrokers(s, nodes);
  for (const node of stopped) startBroker(s, node, nodes);
  const registry = registryProcess(s);
  const registryStarted = runningPid(registry) === undefined;
  if (registryStarted) startRegistry(s, registry);

  const failedEarly = (procs: ManagedProcess[]) => () => {
    const gone = procs.find((proc) => runningPid(proc) === undefined);
    if (gone) throw new Error(`${gone.name} exited during start-up; see ${gone.logFile}`);
  };
  const brokers = clusterAddress(nodes);
  await Promise.all([
    waitFor(
      nodes.length === 1 ? 'kafka to accept a produce' : `all ${nodes.length} brokers to serve`,
      () => kafkaServes(brokers, nodes),
      120_000,
      failedEarly(nodes.map((n) => n.proc)),
    ),
    waitFor(
      'the schema registry to answer',
      () => registryAnswers(registryUrl(s)),
      120_000,
      failedEarly([registry]),
    ),
  ]);
  return {
    kafka: { started: stopped.length > 0, downloaded: kafkaDownloaded, brokers: nodes.length },
    registry: { started: registryStarted, downloaded: registryDownloaded },
    seconds: (Date.now() - started) / 1000,
    brokers,
    registryUrl: registryUrl(s),
  };
}

/** The local Kafka takes a produce, and every broker of a cluster has joined it. */
async function kafkaServes(brokers: string, nodes: BrokerNode[]): Promise<boolean> {
  if (!(await kafkaAcceptsProduce(brokers))) return false;
  if (nodes.length === 1) return true;
  const joined = await registeredBrokers(brokers);
  return nodes.every((n) => joined.includes(n.id));
}

/** Stops the registry and every broker; with `clean`, removes their data too (not the downloads). */
export async function down(s: InfraSettings, options: { clean?: boolean } = {}): Promise<string[]> {
  const stopped: string[] = [];
  // The registry first: it holds no state the brokers need.
  if (await stop(registryProcess(s))) stopped.push('registry');
  // A cluster's brokers together: one left alone waits for a quorum to hand its leaders to.
  const nodes = brokerNodes({ ...s, brokers: undefined });
  const results = await Promise.all(nodes.map((n) => stop(n.proc)));
  stopped.push(...nodes.filter((_, i) => results[i]).map((n) => n.name));
  if (options.clean) rmSync(paths(s).data, { recursive: true, force: true });
  return stopped;
}

export async function status(s: InfraSettings): Promise<ComponentStatus[]> {
  const nodes = brokerNodes({ ...s, brokers: undefined });
  const brokers = clusterAddress(nodes);
  const pids = nodes.map((n) => runningPid(n.proc));
  const serving = pids.some((pid) => pid !== undefined) && (await kafkaAcceptsProduce(brokers));
  const joined = serving && nodes.length > 1 ? await registeredBrokers(brokers) : [];
  const registry = registryProcess(s);
  const registryPid = runningPid(registry);
  const component = (
    name: string,
    pid: number | undefined,
    healthy: boolean,
    address: string,
    logFile: string,
  ): ComponentStatus => ({
    name,
    running: pid !== undefined,
    healthy: pid !== undefined && healthy,
    ...(pid !== undefined ? { pid, rssMiB: residentMiB(pid) } : {}),
    address,
    logFile,
  });
  return [
    ...nodes.map((n, i) =>
      component(
        n.name,
        pids[i],
        serving && (nodes.length === 1 || joined.includes(n.id)),
        nodes.length === 1 ? brokers : `127.0.0.1:${n.port}`,
        n.proc.logFile,
      ),
    ),
    component(
      'registry',
      registryPid,
      registryPid !== undefined && (await registryAnswers(registryUrl(s))),
      registryUrl(s),
      registry.logFile,
    ),
  ];
}

/** The log file of every broker (`kafka`, or `kafka-1`… in a cluster) and of the registry. */
export function logFiles(s: InfraSettings): Record<string, string> {
  const nodes = brokerNodes({ ...s, brokers: undefined });
  return {
    ...Object.fromEntries(nodes.map((n) => [n.name, n.proc.logFile])),
    registry: registryProcess(s).logFile,
  };
}
