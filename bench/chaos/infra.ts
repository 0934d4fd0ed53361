/**
 * A private broker (or three-broker cluster) and registry for one chaos run: its own
 * HEALSTREAM_HOME in a temp folder and its own free ports, so killing its brokers never touches
 * the shared one. Started and stopped through @healstream/infra (the downloads come from
 * HEALSTREAM_CACHE, nothing is fetched again).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { brokerNodes, down, freePort, infraSettings, up } from '@healstream/infra';

export interface PrivateInfra {
  home: string;
  brokers: string;
  registryUrl: string;
  /** The node ids of the brokers: [1], or [1, 2, 3] for a cluster. */
  brokerIds: number[];
  /** kill -9 of the broker (of a cluster: the one with this node id); resolves once it is gone. */
  killBroker(id?: number): Promise<void>;
  /** SIGTERM of the broker (a clean stop); resolves once its process is gone. */
  stopBroker(): Promise<void>;
  stopRegistry(): Promise<void>;
  /**
   * `infra up`: starts whatever is not running; resolves once Kafka takes a produce (and every
   * broker of a cluster has joined it again).
   */
  start(): Promise<void>;
  /** Stops both and removes the home (unless kept). */
  close(keep?: boolean): Promise<void>;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);

async function signalAndWait(pidFile: string, signal: NodeJS.Signals, what: string) {
  if (!existsSync(pidFile)) throw new Error(`${what} is not running: no ${pidFile}`);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid))
    throw new Error(`${what} is not running (pid file ${pidFile})`);
  process.kill(pid, signal);
  const deadline = Date.now() + 30_000;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await sleep(500);
      if (alive(pid)) throw new Error(`${what} (pid ${pid}) survived ${signal} and SIGKILL`);
    }
    await sleep(50);
  }
}

/** Distinct free ports (a port is free when asked for, so two asks may give the same one). */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

export async function startPrivateInfra(
  log: (line: string) => void,
  brokers: 1 | 3 = 1,
): Promise<PrivateInfra> {
  const home = await mkdtemp(join(tmpdir(), 'healstream-chaos-'));
  const shared = infraSettings();
  // A client and a controller port per broker, and the registry's.
  const ports = await freePorts(2 * brokers + 1);
  const kafkaPorts = ports.slice(0, brokers);
  const controllerPorts = ports.slice(brokers, 2 * brokers);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HEALSTREAM_HOME: home,
    HEALSTREAM_CACHE: process.env['HEALSTREAM_CACHE'] || shared.cache,
    HEALSTREAM_KAFKA_PORT: String(kafkaPorts[0]),
    HEALSTREAM_CONTROLLER_PORT: String(controllerPorts[0]),
    HEALSTREAM_REGISTRY_PORT: String(ports[2 * brokers]),
    HEALSTREAM_BROKERS: String(brokers),
    ...(brokers === 3
      ? {
          HEALSTREAM_KAFKA_PORTS: kafkaPorts.join(','),
          HEALSTREAM_CONTROLLER_PORTS: controllerPorts.join(','),
        }
      : {}),
    HEALSTREAM_KAFKA_HEAP: process.env['HEALSTREAM_KAFKA_HEAP'] || '512m',
    HEALSTREAM_REGISTRY_HEAP: process.env['HEALSTREAM_REGISTRY_HEAP'] || '256m',
  };
  const settings = infraSettings(env);
  const run = join(home, 'run');
  const nodes = brokerNodes(settings);
  const pidFile = (id = 1) => {
    const node = nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no broker ${id} (brokers ${nodes.map((n) => n.id).join(', ')})`);
    return node.proc.pidFile;
  };
  const start = async () => {
    const report = await up(settings, log);
    log(`private infra up in ${report.seconds.toFixed(1)} s`);
  };
  try {
    await start();
  } catch (error) {
    await down(settings).catch(() => {});
    throw error;
  }
  return {
    home,
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    registryUrl: `http://127.0.0.1:${settings.registryPort}/apis/ccompat/v7`,
    brokerIds: nodes.map((n) => n.id),
    killBroker: (id) => signalAndWait(pidFile(id), 'SIGKILL', `broker ${id ?? 1}`),
    stopBroker: () => signalAndWait(pidFile(), 'SIGTERM', 'the broker'),
    stopRegistry: () => signalAndWait(join(run, 'registry.pid'), 'SIGTERM', 'the registry'),
    start,
    close: async (keep = false) => {
      await down(settings);
      if (!keep) await rm(home, { recursive: true, force: true });
    },
  };
}
