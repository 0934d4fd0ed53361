import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { onTestFinished } from 'vitest';
import { infraSettings } from '@healstream/infra';
import type { BaseEnv } from '@healstream/runtime';

export interface ServiceChild {
  child: ChildProcess;
  port: number;
  lines: string[];
  exited: Promise<number | null>;
}

let nextPort = 19400 + Math.floor(Math.random() * 400);

/** Runs a service's real main.ts in its own process, as `healstream start` does. */
export function spawnServiceProcess(
  name: string,
  config: Readonly<BaseEnv>,
  env: Record<string, string> = {},
): ServiceChild {
  return spawnPipelineProcess(name, [join('services', name, 'src', 'main.ts')], config, env);
}

/**
 * Runs `entry` (a path from the repository root, then its arguments: a service's main.ts, or
 * the CLI and a command) on the test's pipeline, with a port of its own; killed at the end.
 */
export function spawnPipelineProcess(
  name: string,
  [entry, ...args]: string[],
  config: Readonly<BaseEnv>,
  env: Record<string, string> = {},
): ServiceChild {
  const repoRoot = infraSettings().repoRoot;
  const port = nextPort++;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, entry as string), ...args],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
        SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL,
        HEALSTREAM_TOPIC_PREFIX: config.HEALSTREAM_TOPIC_PREFIX,
        HEALSTREAM_PARTITIONS: String(config.HEALSTREAM_PARTITIONS),
        HTTP_PORT: String(port),
        LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'info',
        HEALSTREAM_INSTANCE_ID: `${name}-${port}`,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, port, lines, exited };
}

/** GET /readyz of a service process: its readiness and the partitions it owns. */
export async function readiness(port: number): Promise<{ ready: boolean; partitions: number[] }> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`, {
      signal: AbortSignal.timeout(1000),
    });
    const body = (await response.json()) as { detail?: { partitions?: number[] } };
    return { ready: response.ok, partitions: body.detail?.partitions ?? [] };
  } catch {
    return { ready: false, partitions: [] };
  }
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
