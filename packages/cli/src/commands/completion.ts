import { CliError, type Command } from '../command.js';

/** `healstream completion bash|zsh`: a completion script for every command and option. */
export function completionCommand(all: () => readonly Command[]): Command {
  return {
    path: ['completion'],
    summary: 'print a shell completion script (bash or zsh)',
    usage:
      'healstream completion bash|zsh\n' +
      '  bash: source <(healstream completion bash)   (or save it in ~/.local/share/bash-completion/completions/healstream)\n' +
      '  zsh:  source <(healstream completion zsh)    (in ~/.zshrc)',
    async run(args, io) {
      const shell = args.positionals[0];
      if (shell !== 'bash' && shell !== 'zsh')
        throw new CliError(`completion: say which shell, bash or zsh (got '${shell ?? ''}')`, 2);
      const script = bashCompletion(all());
      io.out(
        shell === 'bash'
          ? script
          : // zsh runs bash completion functions through its own bashcompinit.
            `autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${script}`,
      );
      return 0;
    },
  };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A bash function that completes command words from the words typed so far (options
 * skipped), then that command's options after a `-`; anything else falls back to file names.
 */
export function bashCompletion(commands: readonly Command[]): string {
  const next = new Map<string, Set<string>>();
  for (const c of commands)
    c.path.forEach((word, i) => {
      const prefix = c.path.slice(0, i).join(' ');
      if (!next.has(prefix)) next.set(prefix, new Set());
      next.get(prefix)?.add(word);
    });
  const cases: string[] = [];
  for (const c of commands) {
    const path = c.path.join(' ');
    const options = [...Object.keys(c.options ?? {}), 'help'].map((o) => `--${o}`).join(' ');
    cases.push(
      `    ${quote(path)} | ${quote(path + ' ')}*) [[ $cur == -* ]] && words=${quote(options)} ;;`,
    );
  }
  for (const [prefix, words] of next) {
    if (commands.some((c) => c.path.join(' ') === prefix)) continue;
    cases.push(`    ${quote(prefix)}) words=${quote([...words].sort().join(' '))} ;;`);
  }
  return [
    '# healstream shell completion (healstream completion bash)',
    '_healstream() {',
    '  local cur=${COMP_WORDS[COMP_CWORD]} path="" words="" w',
    '  for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do',
    '    case $w in -*) ;; *) path=${path:+$path }$w ;; esac',
    '  done',
    '  case $path in',
    ...cases,
    '  esac',
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '}',
    'complete -o default -F _healstream healstream',
  ].join('\n');
}
