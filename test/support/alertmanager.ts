import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import {
  alertmanagerBin,
  startAlertmanager,
  type AlertmanagerAlert,
  type RunningAlertmanager,
} from '@healstream/infra';

export type GettableAlert = AlertmanagerAlert;
export type PrivateAlertmanager = RunningAlertmanager;

/**
 * A private Alertmanager for one test (temp storage, free port, clustering off), stopped when
 * the test finishes. Fails, never skips, when the binary is missing.
 */
export async function privateAlertmanager(
  options: { readyTimeoutMs?: number; config?: string } = {},
): Promise<PrivateAlertmanager> {
  const bin = alertmanagerBin(process.env);
  if (!existsSync(bin)) {
    throw new Error(
      `Alertmanager is not installed (${bin} is missing): install Debian's package with ` +
        '`apt-get update && apt-get install -y prometheus-alertmanager`, or set ALERTMANAGER_BIN to the binary.',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'healstream-alertmanager-'));
  const alertmanager = (await startAlertmanager(
    dir,
    process.env,
    options.readyTimeoutMs ?? 20_000,
    ...(options.config ? [options.config] : []),
  )) as RunningAlertmanager;
  onTestFinished(async () => {
    await alertmanager.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return alertmanager;
}
