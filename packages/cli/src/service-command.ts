import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * How a service's code is run. `compiled`: node on the bundle `scripts/build.ts` writes to
 * dist/ (what `healstream start`, the demo, the image and the manifests run); `tsx`: the
 * TypeScript sources through tsx's loader, kept for comparison (`pnpm bench:startup`) and for
 * stepping through sources.
 */
export type ServiceRuntime = 'compiled' | 'tsx';

export const SERVICE_RUNTIMES: readonly ServiceRuntime[] = ['compiled', 'tsx'];

/** The V8 settings every service runs with, here and in the image and manifests (see docs/performance.md). */
export const SERVICE_NODE_FLAGS: readonly string[] = [];

/** The bundle of a service in dist/, relative to the repository root. */
export const compiledEntry = (service: string) => `dist/services/${service}.js`;

/** The command line after `node` that runs `service` from the repository root. */
export function serviceArgs(repoRoot: string, service: string, runtime: ServiceRuntime): string[] {
  return runtime === 'compiled'
    ? [...SERVICE_NODE_FLAGS, join(repoRoot, compiledEntry(service))]
    : ['--import', 'tsx', join(repoRoot, 'services', service, 'src', 'main.ts')];
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
