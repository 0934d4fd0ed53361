/**
 * A private broker and registry for one chaos run: its own HEALSTREAM_HOME in a temp folder and
 * its own free ports, so killing its broker never touches the shared one. Started and stopped
 * through @healstream/infra (the downloads come from HEALSTREAM_CACHE, nothing is fetched again).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { down, freePort, infraSettings, up } from '@healstream/infra';

export interface PrivateInfra {
  home: string;
  brokers: string;
  registryUrl: string;
  /** kill -9 of the broker; resolves once its process is gone. */
  killBroker(): Promise<void>;
  /** SIGTERM of the broker (a clean stop); resolves once its process is gone. */
  stopBroker(): Promise<void>;
  stopRegistry(): Promise<void>;
  /** `infra up`: starts whatever is not running; resolves once the broker takes a produce. */
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

export async function startPrivateInfra(log: (line: string) => void): Promise<PrivateInfra> {
  const home = await mkdtemp(join(tmpdir(), 'healstream-chaos-'));
  const shared = infraSettings();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HEALSTREAM_HOME: home,
    HEALSTREAM_CACHE: process.env['HEALSTREAM_CACHE'] || shared.cache,
    HEALSTREAM_KAFKA_PORT: String(await freePort()),
    HEALSTREAM_CONTROLLER_PORT: String(await freePort()),
    HEALSTREAM_REGISTRY_PORT: String(await freePort()),
    HEALSTREAM_KAFKA_HEAP: process.env['HEALSTREAM_KAFKA_HEAP'] || '512m',
    HEALSTREAM_REGISTRY_HEAP: process.env['HEALSTREAM_REGISTRY_HEAP'] || '256m',
  };
  const settings = infraSettings(env);
  const run = join(home, 'run');
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
    brokers: `127.0.0.1:${settings.kafkaPort}`,
    registryUrl: `http://127.0.0.1:${settings.registryPort}/apis/ccompat/v7`,
    killBroker: () => signalAndWait(join(run, 'kafka.pid'), 'SIGKILL', 'the broker'),
    stopBroker: () => signalAndWait(join(run, 'kafka.pid'), 'SIGTERM', 'the broker'),
    stopRegistry: () => signalAndWait(join(run, 'registry.pid'), 'SIGTERM', 'the registry'),
    start,
    close: async (keep = false) => {
      await down(settings);
      if (!keep) await rm(home, { recursive: true, force: true });
    },
  };
}
