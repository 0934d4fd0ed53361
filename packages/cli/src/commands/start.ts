import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, type Command, type CommandIo } from '../command.js';
import { ensureTopics, resolveEnv } from '../connection.js';
import { formatLogLine } from '../log-format.js';
import {
  ensureCompiled,
  SERVICE_ENV,
  serviceArgs,
  type ServiceRuntime,
} from '../service-command.js';

export const SERVICES = [
  'detector',
  'diagnoser',
  'policy-evaluator',
  'action-executor',
  'escalator',
] as const;

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * Starts one service as a child process of this one, its log lines handed to `onLine`; compiled
 * (dist/, built first when stale) unless told otherwise.
 */
export function spawnService(
  repoRoot: string,
  name: string,
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
  runtime: ServiceRuntime = 'compiled',
): ServiceProcess {
  const main = join(repoRoot, 'services', name, 'src', 'main.ts');
  if (!existsSync(main)) throw new CliError(`service ${name} has no ${main}`);
  if (runtime === 'compiled') ensureCompiled(repoRoot);
  // Its own process group: a terminal's Ctrl-C reaches only this process, which then stops each
  // service once with SIGTERM (a service that got both would take the second as "exit now").
  // HEALSTREAM_STOP_WITH_PARENT makes the service stop by itself if this process dies.
  const child = spawn(process.execPath, serviceArgs(repoRoot, name, runtime), {
    cwd: repoRoot,
    env: {
      ...(runtime === 'compiled' ? SERVICE_ENV : {}),
      ...env,
      HEALSTREAM_STOP_WITH_PARENT: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', onLine);
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { name, child, exited };
}

/** SIGTERM to every service, SIGKILL after the grace period; resolves when all exited. */
export async function stopServices(services: ServiceProcess[], graceMs = 15_000): Promise<void> {
  for (const s of services) if (s.child.exitCode === null) s.child.kill('SIGTERM');
  const timer = setTimeout(
    () => services.forEach((s) => s.child.exitCode === null && s.child.kill('SIGKILL')),
    graceMs,
  );
  await Promise.all(services.map((s) => s.exited));
  clearTimeout(timer);
}

/** The environment the services get: the resolved connection, one HTTP port each. */
export function serviceEnv(
  base: NodeJS.ProcessEnv,
  name: string,
  index: number,
): NodeJS.ProcessEnv {
  const basePort = Number(base['HEALSTREAM_HTTP_BASE_PORT'] ?? 9400);
  return {
    ...base,
    HTTP_PORT: base['HTTP_PORT'] ?? String(basePort + index + 1),
    HEALSTREAM_INSTANCE_ID: base['HEALSTREAM_INSTANCE_ID'] ?? `${name}-${process.pid}`,
  };
}

/** Resolves true once every service's /readyz answers 200, false if stopped first. */
export async function whenReady(ports: number[], stopped: () => boolean): Promise<boolean> {
  const ready = (port: number) =>
    fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
  while (!stopped()) {
    if ((await Promise.all(ports.map(ready))).every(Boolean)) return true;
    await sleep(500);
  }
  return false;
}

export async function prepareTopics(io: CommandIo): Promise<NodeJS.ProcessEnv> {
  const config = await resolveEnv(io);
  await ensureTopics(config);
  return config.env;
}

export const start: Command = {
  path: ['start'],
  summary:
    'run the five services in the foreground (embedded Kafka when KAFKA_BROKERS is unset); Ctrl-C stops all',
  usage: 'healstream start [--only detector,diagnoser,...] [--json]',
  options: { only: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const only =
      typeof args.values['only'] === 'string'
        ? args.values['only'].split(',').map((s) => s.trim())
        : [...SERVICES];
    const unknown = only.filter((s) => !(SERVICES as readonly string[]).includes(s));
    if (unknown.length)
      throw new CliError(
        `start: unknown service ${unknown.join(', ')} (known: ${SERVICES.join(', ')})`,
      );
    const env = await prepareTopics(io);
    const json = args.values['json'] === true;
    const envs = only.map((name) =>
      serviceEnv(env, name, SERVICES.indexOf(name as (typeof SERVICES)[number])),
    );
    const services = only.map((name, i) =>
      spawnService(io.cwd, name, envs[i] as NodeJS.ProcessEnv, (line) =>
        io.out(json ? line : formatLogLine(name, line)),
      ),
    );
    io.err(`started ${only.join(', ')}; Ctrl-C stops them`);
    let stopping = false;
    void whenReady(
      envs.map((e) => Number(e['HTTP_PORT'])),
      () => stopping,
    ).then((ready) => ready && io.err(`ready: ${only.join(', ')} joined their groups`));
    const stop = () => {
      if (stopping) return;
      stopping = true;
      io.err('stopping services…');
      void stopServices(services);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const first = await Promise.race(
      services.map((s) => s.exited.then((code) => ({ name: s.name, code }))),
    );
    if (!stopping) {
      io.err(`${first.name} exited with code ${first.code}; stopping the others`);
      stop();
    }
    await Promise.all(services.map((s) => s.exited));
    return stopping && first.code === 0 ? 0 : 1;
  },
};
