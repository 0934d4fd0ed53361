import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { freePort } from '@healstream/infra';
import { waitUntil } from './subprocess.js';

export const prometheusBin = () => process.env['PROMETHEUS_BIN'] ?? '/usr/bin/prometheus';

/**
 * A private Prometheus server (Debian's package) with the given configuration, its own TSDB in
 * a temp folder and a free port; ready once /-/ready answers, stopped when the test finishes.
 * Fails, never skips, when the binary is missing.
 */
export async function privatePrometheus(
  config: string,
): Promise<{ url: string; log: () => string }> {
  const bin = prometheusBin();
  if (!existsSync(bin))
    throw new Error(
      `Prometheus is not installed (${bin} is missing): run scripts/ensure-prometheus.sh (Debian's prometheus), or set PROMETHEUS_BIN`,
    );
  const dir = await mkdtemp(join(tmpdir(), 'healstream-prometheus-'));
  const file = join(dir, 'prometheus.yml');
  await writeFile(file, config);
  const port = await freePort();
  const child = spawn(
    bin,
    [
      `--config.file=${file}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (d: Buffer) => void (output = (output + d.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  onTestFinished(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    `Prometheus at ${url} to be ready`,
    async () => {
      if (child.exitCode !== null) throw new Error(`Prometheus exited: ${output}`);
      return fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
    },
    30_000,
  );
  return { url, log: () => output };
}
