import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { freePort, infraSettings } from '@healstream/infra';

const run = promisify(execFile);
const repoRoot = infraSettings().repoRoot;

async function ports(n: number): Promise<number[]> {
  const found = new Set<number>();
  while (found.size < n) found.add(await freePort());
  return [...found];
}

describe('healstream infra up --brokers 3, as a user runs it', () => {
  it('runs three brokers, and `topics create` makes topics with three replicas, two in sync', async () => {
    const home = mkdtempSync(join(tmpdir(), 'healstream-cluster-'));
    const [k1, k2, k3, c1, c2, c3, registry] = await ports(7);
    const env = {
      ...process.env,
      KAFKA_BROKERS: '',
      SCHEMA_REGISTRY_URL: '',
      HEALSTREAM_HOME: home,
      HEALSTREAM_CACHE: join(repoRoot, '.healstream'),
      HEALSTREAM_KAFKA_PORTS: `${k1},${k2},${k3}`,
      HEALSTREAM_CONTROLLER_PORTS: `${c1},${c2},${c3}`,
      HEALSTREAM_REGISTRY_PORT: String(registry),
      HEALSTREAM_KAFKA_HEAP: '512m',
      HEALSTREAM_TOPIC_PREFIX: 'cluster-test.',
      HEALSTREAM_PARTITIONS: '2',
    };
    const cli = (...args: string[]) =>
      run(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'packages/cli/src/main.ts'), ...args],
        { env, cwd: repoRoot },
      );
    try {
      const up = JSON.parse((await cli('infra', 'up', '--brokers', '3', '--json')).stdout) as {
        kafka: { started: boolean; brokers: number };
        brokers: string;
      };
      expect(up.kafka).toMatchObject({ started: true, brokers: 3 });
      expect(up.brokers).toBe(`127.0.0.1:${k1},127.0.0.1:${k2},127.0.0.1:${k3}`);

      // No --brokers: the data says three.
      const status = JSON.parse((await cli('infra', 'status', '--json')).stdout) as {
        name: string;
        healthy: boolean;
      }[];
      expect(status.map((c) => [c.name, c.healthy])).toEqual([
        ['kafka-1', true],
        ['kafka-2', true],
        ['kafka-3', true],
        ['registry', true],
      ]);
      await expect(cli('infra', 'up', '--brokers', '1')).rejects.toThrow(/made with 3 brokers/);

      await cli('topics', 'create');
      const kafka = new Kafka({ brokers: up.brokers.split(','), logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: ['cluster-test.diagnoses'] });
        const replicas = metadata.topics[0]?.partitions.map((p) => p.replicas.length);
        expect(replicas).toEqual([3, 3]);
        const configs = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [
            { type: 2, name: 'cluster-test.diagnoses', configNames: ['min.insync.replicas'] },
          ],
        });
        expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('2');
      } finally {
        await admin.disconnect();
      }

      const down = JSON.parse((await cli('infra', 'down', '--clean', '--json')).stdout) as {
        stopped: string[];
      };
      expect(down.stopped.sort()).toEqual(['kafka-1', 'kafka-2', 'kafka-3', 'registry']);
    } finally {
      await cli('infra', 'down', '--clean').catch(() => {});
      rmSync(home, { recursive: true, force: true });
    }
  }, 300_000);
});
