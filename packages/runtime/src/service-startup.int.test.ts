import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  baseEnvSchema,
  createLogger,
  createRegistry,
  defineService,
  loadConfig,
  runService,
  type RunningService,
} from '@healstream/runtime';
import { testEnv, testKafka, uniqueName, withTopics } from '@healstream/test-support/kafka';
import { waitUntil } from '@healstream/test-support/subprocess';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The test registry behind a TCP port that refuses every connection (counting them) until
 * `open()`, then forwards to it: a registry that is down, then comes back.
 */
async function registryBehind(port: number) {
  const target = new URL(testEnv().registryUrl);
  let up = false;
  let refused = 0;
  const server: Server = createServer((client) => {
    if (!up) {
      refused++;
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    refused: () => refused,
    open: () => {
      up = true;
    },
  };
}

const status = async (port: number) =>
  fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
    (r) => r.status,
    () => 0,
  );

describe('a service started while the schema registry is down', () => {
  it('waits for the registry, not ready meanwhile, and starts once it answers', async () => {
    const input = uniqueName('in');
    await withTopics(testKafka(), [{ name: input }]);
    const registryPort = await freePort();
    const registry = await registryBehind(registryPort);
    const httpPort = await freePort();
    const target = new URL(testEnv().registryUrl);
    const config = loadConfig(baseEnvSchema, {
      KAFKA_BROKERS: testEnv().brokers.join(','),
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${registryPort}${target.pathname}`,
      HEALSTREAM_TOPIC_PREFIX: `${uniqueName('p')}.`,
      HTTP_PORT: String(httpPort),
    });
    const definition = defineService({
      name: 'startup-probe',
      inputs: [{ logical: 'metrics', topic: input, record: 'MetricSample' }],
      outputs: [],
      open: () => ({ handle: () => {} }),
    });
    let outcome: 'pending' | 'started' | 'failed' = 'pending';
    const starting = runService(definition, {
      config,
      logger: createLogger('test', process.env['TEST_LOG_LEVEL'] ?? 'silent'),
      registry: createRegistry('test', false),
    }).then(
      (running: RunningService) => {
        outcome = 'started';
        onTestFinished(() => running.stop());
        return running;
      },
      (error: unknown) => {
        outcome = 'failed';
        throw error;
      },
    );
    starting.catch(() => {});
    // Up and answering, not ready, and trying again and again (it used to exit at the first).
    await waitUntil('three refused attempts', () => registry.refused() >= 3, 30_000);
    expect(await status(httpPort)).toBe(503);
    expect(outcome).toBe('pending');

    registry.open();
    await starting;
    expect(outcome).toBe('started');
    await waitUntil('ready', async () => (await status(httpPort)) === 200, 60_000);
  });
});
