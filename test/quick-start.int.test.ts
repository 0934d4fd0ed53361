import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort, infraSettings } from '@healstream/infra';
import { waitUntil } from './support/subprocess.js';

const source = infraSettings();
const run = promisify(execFile);

/** The README's quick start: the shell lines of the block after `<!-- quick start -->`. */
function quickStart(): string[] {
  const readme = readFileSync(join(source.repoRoot, 'README.md'), 'utf8');
  const block = /<!-- quick start -->\s*```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no quick start block after <!-- quick start -->');
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** PATH as a fresh machine has it: no pnpm, and not the toolchain this test runs on. */
function pathWithoutPnpm(): string {
  return (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => !existsSync(join(dir, 'pnpm')) && !dir.includes('.healstream'))
    .join(delimiter);
}

/** Processes whose parent is `pid` (the services `start` spawned). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return (
          readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(pid)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the README's quick start", () => {
  it('runs from a fresh clone with no pnpm on PATH; SIGTERM to `start` stops every service, and services outlive no parent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'healstream-clone-'));
    const clone = join(dir, 'healstream');
    execFileSync('git', ['clone', '-q', source.repoRoot, clone]);
    // The services listen on the base port and the few after it, all below the ephemeral range.
    const basePort = await freePort({ low: 10_000, high: 30_000 });
    const env: NodeJS.ProcessEnv = {
      HOME: process.env['HOME'],
      PATH: pathWithoutPnpm(),
      // Its own broker and registry on free ports; the Kafka and registry downloads are reused.
      HEALSTREAM_HOME: join(dir, 'home'),
      HEALSTREAM_CACHE: source.cache,
      HEALSTREAM_KAFKA_PORT: String(await freePort()),
      HEALSTREAM_CONTROLLER_PORT: String(await freePort()),
      HEALSTREAM_REGISTRY_PORT: String(await freePort()),
      HEALSTREAM_HTTP_BASE_PORT: String(basePort),
      LOG_LEVEL: 'warn',
    };
    onTestFinished(async () => {
      try {
        await run('./healstream', ['infra', 'down', '--clean'], { cwd: clone, env });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    expect(() => execFileSync('bash', ['-c', 'command -v pnpm'], { env })).toThrow();

    const outputs: string[] = [];
    let started: { child: ChildProcess; output: () => string } | undefined;
    const startCommand = (line: string) => {
      const child = spawn('bash', ['-c', `exec ${line.replace(/&$/, '').trim()}`], {
        cwd: clone,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      return { child, output: () => output };
    };
    for (const line of quickStart()) {
      if (line.endsWith('&')) {
        started = startCommand(line);
        // As a person would, wait for `start` to say the services are ready.
        await waitUntil(
          'the services to be ready',
          () => /ready: /.test(started!.output()),
          240_000,
        );
        continue;
      }
      if (line === 'kill %1') break; // below: what kill %1 sends, and what must follow
      // Asynchronously: a first run installs Node.js and the packages, which takes a while.
      const { stdout } = await run('bash', ['-c', line], { cwd: clone, env, timeout: 300_000 });
      outputs.push(stdout);
    }
    const [infraUp, validate, simulate, , tail] = outputs;
    expect(infraUp).toMatch(/kafka\s+started/);
    expect(validate).toMatch(/5 valid policies/);
    expect(simulate).toMatch(/payments/);
    const decisions = (tail ?? '')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { value: { component: string; verdict: string } }).value);
    expect(decisions.some((d) => d.component === 'payments')).toBe(true);

    // `kill %1`: SIGTERM to the process the user started. It is the CLI itself (the launcher
    // execs node), so the signal reaches it, and it stops every service within 10 s.
    const cli = started!.child;
    const services = childrenOf(cli.pid!);
    expect(services).toHaveLength(5);
    const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));
    const t0 = Date.now();
    cli.kill('SIGTERM');
    await waitUntil('every service to stop', () => services.every((p) => !alive(p)), 10_000);
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);

    // A CLI killed outright (kill -9) cannot stop its services: each notices and stops itself.
    const again = startCommand('./healstream start');
    await waitUntil(
      'the services to be ready again',
      () => /ready: /.test(again.output()),
      240_000,
    );
    const orphans = childrenOf(again.child.pid!);
    expect(orphans).toHaveLength(5);
    again.child.kill('SIGKILL');
    await waitUntil(
      'the orphaned services to stop by themselves',
      () => orphans.every((p) => !alive(p)),
      20_000,
    );
    // A first run in a fresh clone installs the packages and starts a broker: minutes, not 2.
  }, 600_000);
});
