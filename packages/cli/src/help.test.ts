import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from './commands/index.js';
import { optionHelp } from './option-help.js';
import { cli } from './run-cli.test-support.js';

describe('--help', () => {
  it('describes every option of every command', () => {
    const missing = commands.flatMap((c) =>
      [...Object.keys(c.options ?? {}), 'help']
        .filter((o) => !optionHelp(c.path, o))
        .map((o) => `${c.path.join(' ')} --${o}`),
    );
    expect(missing).toEqual([]);
  });

  it('prints each option with what it does', async () => {
    const { code, out } = await cli('infra', 'down', '--help');
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/--clean\s+also remove the broker's and registry's data/);
    expect(text).toMatch(/--json\s+print the result as JSON/);
    expect(text).toMatch(/--help\s+show this help/);
  });
});

describe('healstream completion', () => {
  async function complete(shell: 'bash', ...words: string[]): Promise<string[]> {
    const { out } = await cli('completion', shell);
    const file = join(mkdtempSync(join(tmpdir(), 'completion-')), 'healstream.bash');
    writeFileSync(file, out.join('\n'));
    const script = `source ${file}; COMP_WORDS=(healstream ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _healstream; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\n').filter(Boolean);
  }

  it('completes commands, subcommands and options in bash', async () => {
    expect(await complete('bash', 'inf')).toEqual(['infra']);
    expect((await complete('bash', 'infra', '')).sort()).toEqual(['down', 'logs', 'status', 'up']);
    expect(await complete('bash', 'infra', 'down', '--c')).toEqual(['--clean']);
    expect(await complete('bash', 'agent', '--')).toEqual(['--targets', '--help']);
    expect(await complete('bash', 'tail', 'healing-decisions', '--from')).toEqual([
      '--from-beginning',
    ]);
    // a file argument is left to the shell's own file-name completion
    expect(await complete('bash', 'agent', '--targets', 'tar')).toEqual([]);
  });

  it('gives zsh the same function through bashcompinit, and refuses other shells', async () => {
    const zsh = await cli('completion', 'zsh');
    expect(zsh.out.join('\n')).toMatch(/bashcompinit[\s\S]*complete -o default -F _healstream/);
    const fish = await cli('completion', 'fish');
    expect(fish.code).toBe(2);
    expect(fish.err.join('\n')).toContain('bash or zsh');
  });
});
