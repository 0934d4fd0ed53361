import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './ports.js';

/** Debian's package; ALERTMANAGER_BIN points elsewhere. */
export const alertmanagerBin = (env: NodeJS.ProcessEnv) =>
  env['ALERTMANAGER_BIN'] ?? '/usr/bin/prometheus-alertmanager';

/** An alert as GET /api/v2/alerts returns it (the fields healstream reads). */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

export interface RunningAlertmanager {
  url: string;
  /** Active alerts matching every label given (GET /api/v2/alerts with filters). */
  alerts(match?: Record<string, string>): Promise<AlertmanagerAlert[]>;
  stop(): Promise<void>;
}

// Alerts go to a receiver that sends nothing: the demo and the tests read them back from the API.
export const NULL_RECEIVER_CONFIG = `route:
  receiver: 'null'
  group_by: ['...']
receivers:
  - name: 'null'
`;

/**
 * A private Prometheus Alertmanager (Debian's package) for the demo and the tests: its own
 * config and storage under `dir`, clustering off, a free port; resolves once /-/ready answers.
 * Returns null when the binary is not installed. `config` replaces the receiver that sends
 * nothing (a webhook receiver pointed at healstream's ingest, say).
 */
export async function startAlertmanager(
  dir: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
  config: string = NULL_RECEIVER_CONFIG,
): Promise<RunningAlertmanager | null> {
  const bin = alertmanagerBin(env);
  if (!existsSync(bin)) return null;
  await mkdir(dir, { recursive: true });
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    bin,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-2000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    })());

  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`Alertmanager exited with code ${child.exitCode}: ${output.trim()}`);
    if (
      await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > until) {
      await stop();
      throw new Error(
        `Alertmanager at ${url} was not ready within ${timeoutMs} ms: ${output.trim()}`,
      );
    }
    await sleep(100);
  }
  return {
    url,
    stop,
    async alerts(match = {}) {
      const filter = Object.entries(match).map(
        ([k, v]) => `filter=${encodeURIComponent(`${k}="${v}"`)}`,
      );
      const res = await fetch(
        `${url}/api/v2/alerts${filter.length > 0 ? `?${filter.join('&')}` : ''}`,
        { signal: AbortSignal.timeout(3000) },
      );
      if (!res.ok) throw new Error(`GET /api/v2/alerts: HTTP ${res.status}`);
      return (await res.json()) as AlertmanagerAlert[];
    },
  };
}
