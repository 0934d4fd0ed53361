import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * How a service's code is run. `compiled`: node on the bundle `scripts/build.ts` writes to
 * dist/, with the settings below (what `healstream start`, the demo, the image and the
 * manifests run); `tsx`: the TypeScript sources through tsx's loader with node's defaults, as
 * services ran before the build, kept for comparison (`pnpm bench:startup`, `pnpm bench:memory
 * --runtime tsx`) and for stepping through sources.
 */
export type ServiceRuntime = 'compiled' | 'tsx';

export const SERVICE_RUNTIMES: readonly ServiceRuntime[] = ['compiled', 'tsx'];

/**
 * The V8 settings every compiled service runs with, here, in the image and in the manifests.
 * V8 sizes the young generation from the machine's memory (up to 64 MiB per semi-space on a
 * large host), and a busy service fills it: 8 MiB semi-spaces cost the detector 50-100 MiB less
 * resident memory under `pnpm bench:memory` for more, shorter scavenges. And V8 lets the old
 * generation grow up to 4× its live size before the next full collection: the detector's held
 * ~62 MiB for ~16 MiB live, garbage promoted from the consume loop. Growing it by 20 % at a time
 * took the detector from 162 to 130 MiB at the same CPU time (docs/performance.md).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=8',
  '--heap-growing-percent=20',
];

/**
 * The environment every compiled service gets, besides its own. Two glibc malloc arenas instead
 * of eight per core: Buffers freed on the libuv and V8 threads fragment fewer arenas (5-10 MiB
 * less resident memory per service under `pnpm bench:memory`).
 */
export const SERVICE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** The bundle of a service in dist/, relative to the repository root. */
export const compiledEntry = (service: string) => `dist/services/${service}.js`;

/** The command line after `node` that runs `service` from the repository root. */
export function serviceArgs(repoRoot: string, service: string, runtime: ServiceRuntime): string[] {
  return runtime === 'compiled'
    ? [...SERVICE_NODE_FLAGS, join(repoRoot, compiledEntry(service))]
    : ['--import', 'tsx', join(repoRoot, 'services', service, 'src', 'main.ts')];
}

/**
 * The demo fleet's member program as compiled JavaScript, built first when stale: it starts in
 * about half the time of the sources through tsx (~200 vs ~400 ms on an idle 2-core machine),
 * and every restart-service the demo heals with waits for it.
 */
export function compiledMemberCommand(repoRoot: string): string[] {
  ensureCompiled(repoRoot);
  return [process.execPath, join(repoRoot, 'dist', 'fleet', 'member.js')];
}

const built = new Set<string>();

/**
 * Builds dist/ when a source changed since the last build (about a second; nothing when fresh),
 * so a compiled service never runs code older than its sources. Once per process and checkout.
 */
export function ensureCompiled(repoRoot: string): void {
  if (built.has(repoRoot)) return;
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.ts'), '--if-stale'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  built.add(repoRoot);
}
