import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { infraSettings } from '@healstream/infra';

const run = promisify(execFile);
const repoRoot = infraSettings().repoRoot;

/** Every live process whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('healstream infra, as a user runs it', () => {
  it('starts once, is harmless when run twice, and leaves no process behind after down', async () => {
    // A second, private stack on other ports, sharing only the download cache.
    const home = mkdtempSync(join(tmpdir(), 'healstream-infra-'));
    const env = {
      ...process.env,
      HEALSTREAM_HOME: home,
      HEALSTREAM_CACHE: join(repoRoot, '.healstream'),
      HEALSTREAM_KAFKA_PORT: '29092',
      HEALSTREAM_CONTROLLER_PORT: '29093',
      HEALSTREAM_REGISTRY_PORT: '28081',
    };
    const cli = (...args: string[]) =>
      run(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'packages/cli/src/main.ts'), ...args],
        { env, cwd: repoRoot },
      );
    try {
      const first = JSON.parse((await cli('infra', 'up', '--json')).stdout) as {
        kafka: { started: boolean };
        registry: { started: boolean };
      };
      expect(first.kafka.started).toBe(true);
      expect(first.registry.started).toBe(true);
      const pids = processesMentioning(':29092').concat(processesMentioning(':28081'));
      expect(pids.length).toBeGreaterThanOrEqual(2);

      const second = JSON.parse((await cli('infra', 'up', '--json')).stdout) as {
        kafka: { started: boolean };
        registry: { started: boolean };
      };
      expect(second.kafka.started).toBe(false);
      expect(second.registry.started).toBe(false);
      expect(processesMentioning(':29092').concat(processesMentioning(':28081')).sort()).toEqual(
        pids.sort(),
      );

      const status = JSON.parse((await cli('infra', 'status', '--json')).stdout) as {
        healthy: boolean;
      }[];
      expect(status.every((c) => c.healthy)).toBe(true);

      const down = JSON.parse((await cli('infra', 'down', '--clean', '--json')).stdout) as {
        stopped: string[];
      };
      expect(down.stopped.sort()).toEqual(['kafka', 'registry']);
      expect(processesMentioning('healstream.infra=kafka:29092')).toEqual([]);
      expect(processesMentioning('healstream.infra=registry:28081')).toEqual([]);
      expect(readdirSync(home)).not.toContain('data');

      const again = JSON.parse((await cli('infra', 'down', '--json')).stdout) as {
        stopped: string[];
      };
      expect(again.stopped).toEqual([]);
    } finally {
      await cli('infra', 'down').catch(() => {});
      rmSync(home, { recursive: true, force: true });
    }
  });
});
