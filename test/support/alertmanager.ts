import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/** Debian's package; ALERTMANAGER_BIN points elsewhere on other systems. */
export const ALERTMANAGER_BIN = process.env['ALERTMANAGER_BIN'] ?? '/usr/bin/prometheus-alertmanager';

/** An alert as GET /api/v2/alerts returns it (the fields the tests read). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

export interface PrivateAlertmanager {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** Active alerts (Alertmanager leaves resolved ones out), optionally filtered by labels. */
  alerts(match?: Record<string, string>): Promise<GettableAlert[]>;
  stop(): Promise<void>;
}

// Every alert goes to a receiver that sends nothing: the tests read the API, not notifications.
const config = `route:
  receiver: 'null'
  group_by: ['...']
receivers:
  - name: 'null'
`;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a private Alertmanager (own config, storage in a temp dir, clustering off, a free
 * port), waits until /-/ready answers, and stops it when the test finishes. Fails, never skips,
 * when the binary is missing.
 */
export async function privateAlertmanager(options: { readyTimeoutMs?: number } = {}): Promise<PrivateAlertmanager> {
  if (!existsSync(ALERTMANAGER_BIN)) {
    throw new Error(
      `Alertmanager is not installed (${ALERTMANAGER_BIN} is missing): install Debian's package with ` +
        '`apt-get update && apt-get install -y prometheus-alertmanager`, or set ALERTMANAGER_BIN to the binary.',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'healstream-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      await rm(dir, { recursive: true, force: true });
    })());
  onTestFinished(stop);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Alertmanager exited with code ${child.exitCode} before it was ready:\n${output}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Alertmanager at ${url} was not ready in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    stop,
    async alerts(match = {}) {
      const filter = Object.entries(match).map(([k, v]) => `filter=${encodeURIComponent(`${k}="${v}"`)}`);
      const response = await fetch(`${url}/api/v2/alerts${filter.length > 0 ? `?${filter.join('&')}` : ''}`);
      if (!response.ok) throw new Error(`GET /api/v2/alerts: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as GettableAlert[];
    },
  };
}
