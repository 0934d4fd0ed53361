import { suggest } from '@healstream/core';
import { CliError, type Command } from '../command.js';
import { componentsFor, policiesFor } from './policies-shared.js';
import { WHO_OPTIONS, authorOf, controlRecord, sendControl } from './control-shared.js';

/**
 * The kill switch: `disable` and `shadow` override one policy's mode in every evaluator at run
 * time, `enable` gives it back its file's mode. The name is checked against the policies at hand
 * (--policies, default policies/) unless --force: a typo would otherwise switch nothing.
 */
function overrideCommand(verb: 'disable' | 'shadow' | 'enable'): Command {
  const summary = {
    disable: 'kill switch: turn one policy off in every evaluator, now, without a restart',
    shadow: 'kill switch: one policy only records what it would do (SHADOW), without a restart',
    enable: "undo disable/shadow: the policy's own mode again",
  }[verb];
  return {
    path: ['policies', verb],
    summary,
    usage: `healstream policies ${verb} <policy-name> [--comment C] [--author A] [--policies P] [--force] [--json]`,
    options: {
      ...WHO_OPTIONS,
      policies: { type: 'string', multiple: true },
      force: { type: 'boolean' },
    },
    async run(args, io) {
      const name = args.positionals.join(' ');
      if (!name) throw new CliError(`policies ${verb}: which policy?`);
      if (args.values['force'] !== true) {
        const known = policiesFor(io, args.values['policies'], componentsFor(io, undefined)).map(
          (p) => p.name,
        );
        if (!known.includes(name)) {
          const near = suggest(name, known);
          throw new CliError(
            `policies ${verb}: no policy named "${name}"${near ? ` (did you mean "${near}"?)` : ''}; --force to send it anyway`,
          );
        }
      }
      const record = controlRecord({
        controlId: `policy:${name}`,
        kind: 'POLICY_OVERRIDE',
        action: verb === 'enable' ? 'END' : 'SET',
        policy: name,
        policyMode: verb === 'enable' ? null : verb === 'disable' ? 'disabled' : 'shadow',
        author: authorOf(args, io),
        comment: typeof args.values['comment'] === 'string' ? args.values['comment'] : '',
        createdAt: Date.now(),
      });
      const what = {
        disable: 'disabled',
        shadow: 'in shadow mode',
        enable: 'back to its own mode',
      }[verb];
      return sendControl(io, args, record, `policy "${name}" ${what}`);
    },
  };
}

export const policiesDisable = overrideCommand('disable');
export const policiesShadow = overrideCommand('shadow');
export const policiesEnable = overrideCommand('enable');
