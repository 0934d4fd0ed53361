import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { consoleEnvSchema, startConsole, type RunningConsole } from '@healstream/console';
import { createKafka, createLogger, loadConfig, type BaseEnv } from '@healstream/runtime';
import { freshRegistry } from './pipeline.js';

export const TEST_CONSOLE_TOKEN = 'test-console-token-0123456789';

/** A store file in a directory of its own, removed when the test finishes. */
export function consoleStoreFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'healstream-console-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'incidents.db');
}

/** The console in this process on free ports, over a private pipeline's topics; stopped after. */
export async function startTestConsole(
  config: Readonly<BaseEnv>,
  store: string,
  env: Record<string, string> = {},
): Promise<RunningConsole & { api: (path: string, init?: RequestInit) => Promise<Response> }> {
  const consoleConfig = loadConfig(consoleEnvSchema, {
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
    SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL,
    HEALSTREAM_TOPIC_PREFIX: config.HEALSTREAM_TOPIC_PREFIX,
    HEALSTREAM_INSTANCE_ID: `console-${Math.random().toString(36).slice(2, 8)}`,
    HEALSTREAM_CONSOLE_TOKEN: TEST_CONSOLE_TOKEN,
    HEALSTREAM_CONSOLE_PORT: '0',
    HEALSTREAM_CONSOLE_STORE: store,
    HTTP_PORT: '0',
    ...env,
  });
  const logger = createLogger('console', process.env['TEST_LOG_LEVEL'] ?? 'silent');
  const kafka = createKafka({ config: consoleConfig, clientId: 'console-test', logger });
  const running = await startConsole({
    config: consoleConfig,
    kafka,
    logger,
    registry: freshRegistry('console'),
  });
  onTestFinished(() => running.stop());
  return {
    ...running,
    api: (path, init) =>
      fetch(`${running.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${TEST_CONSOLE_TOKEN}`, ...(init?.headers ?? {}) },
      }),
  };
}
