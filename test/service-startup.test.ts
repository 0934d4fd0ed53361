import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCompiled, serviceArgs } from '@healstream/cli';
import { infraSettings } from '@healstream/infra';

const run = promisify(execFile);
const root = infraSettings().repoRoot;

// The services as users run them: compiled to dist/ (built here when stale).
beforeAll(() => ensureCompiled(root), 120_000);

/** Starts a service's compiled main with exactly this environment; returns how it ended. */
async function start(
  service: string,
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, serviceArgs(root, service, 'compiled'), {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      timeout: 30_000,
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

const good = {
  KAFKA_BROKERS: '127.0.0.1:1',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1/apis/ccompat/v7',
};

// Configuration is checked before any connection is made, so no broker is needed here.
describe('a service refuses to start on bad configuration, naming what is wrong', () => {
  it('exits non-zero naming KAFKA_BROKERS when it is missing', async () => {
    const { code, stderr } = await start('detector', {
      SCHEMA_REGISTRY_URL: good.SCHEMA_REGISTRY_URL,
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^detector: invalid configuration: KAFKA_BROKERS is required/m);
  });

  it('stops the console on a token too short to guard it', async () => {
    const { code, stderr } = await start('console', { ...good, HEALSTREAM_CONSOLE_TOKEN: 'short' });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^console: invalid configuration: HEALSTREAM_CONSOLE_TOKEN must be at least 16 characters/m,
    );
  });

  it('exits non-zero naming SCHEMA_REGISTRY_URL when it is malformed', async () => {
    const { code, stderr } = await start('diagnoser', {
      ...good,
      SCHEMA_REGISTRY_URL: 'registry:8081',
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/SCHEMA_REGISTRY_URL must be an http\(s\) URL.*got 'registry:8081'/);
  });

  it('stops the policy-evaluator on a bad policy file, naming file, line and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'healstream-policies-'));
    writeFileSync(
      join(dir, 'bad.yaml'),
      [
        '- name: Too Urgent',
        '  conditions:',
        '    - metric: latency_p99',
        '      operator: gt',
        '      threshold: 500',
        '  actions: [restart-service]',
        '  priority: 11',
        '',
      ].join('\n'),
    );
    const { code, stderr } = await start('policy-evaluator', {
      ...good,
      POLICIES_DIR: dir,
      COMPONENTS_FILE: join(root, 'components.yaml'),
    });
    expect(code).toBe(2);
    expect(stderr).toContain(`${join(dir, 'bad.yaml')}:7:13: priority`);
    expect(stderr).not.toContain('    at ');
    expect(stderr).toContain('priority');
  });
});
