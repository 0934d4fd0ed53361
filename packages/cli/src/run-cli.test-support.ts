import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.js';

/** The repository root, where the CLI resolves policies/, fixtures/ and components.yaml. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs one CLI invocation in-process from the repo root, capturing what it prints. */
export async function cli(
  ...argv: string[]
): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    cwd: repoRoot,
    env: {},
  });
  return { code, out, err };
}
