import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { infraSettings } from '@healstream/infra';

// One Node.js version for the whole project: what the toolchain script installs (and checks the
// integrity of), what nvm picks, what package.json accepts and what the README promises.
const root = infraSettings().repoRoot;
const read = (file: string) => readFileSync(join(root, file), 'utf8');

function scriptVariable(name: string): string {
  const match = new RegExp(`^${name}=(\\S+)$`, 'm').exec(read('scripts/toolchain.sh'));
  if (!match?.[1]) throw new Error(`scripts/toolchain.sh sets no ${name}`);
  return match[1];
}

describe('the pinned toolchain', () => {
  const version = scriptVariable('node_version');
  const manifest = JSON.parse(read('package.json')) as {
    engines: { node: string };
    packageManager: string;
  };

  it('is an exact Node.js 24 release', () => {
    expect(version).toMatch(/^24\.\d+\.\d+$/);
  });

  it('is the same in .nvmrc, engines, the README and the script', () => {
    expect(read('.nvmrc').trim()).toBe(version);
    expect(manifest.engines.node).toBe(version);
    expect(read('README.md')).toContain(`Node.js ${version}`);
    expect(read('Dockerfile')).toContain(`FROM node:${version}-slim`);
  });

  it('records an npm dist.integrity for each architecture the script installs', () => {
    for (const arch of ['x64', 'arm64']) {
      expect(scriptVariable(`node_integrity_${arch}`)).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    }
  });

  it('pins the same pnpm in packageManager, the script and the README', () => {
    const pnpm = scriptVariable('pnpm_version');
    expect(manifest.packageManager).toBe(`pnpm@${pnpm}`);
    expect(read('README.md')).toContain(`pnpm ${pnpm}`);
  });

  it('is what runs the tests', () => {
    expect(process.version).toBe(`v${version}`);
  });
});
