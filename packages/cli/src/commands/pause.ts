import { describeScope } from '@healstream/core';
import { CliError, type Command } from '../command.js';
import {
  SCOPE_OPTIONS,
  WHO_OPTIONS,
  authorOf,
  controlRecord,
  parseDuration,
  scopeFrom,
  scopeKey,
  sendControl,
} from './control-shared.js';

export const pause: Command = {
  path: ['pause'],
  summary:
    'pause automatic actions (fleet-wide, or by component, team or label): decisions become SHADOW',
  usage:
    'healstream pause [--component X | --team T | --label k=v …] --reason R [--for D] [--author A] [--json]',
  options: {
    ...SCOPE_OPTIONS,
    ...WHO_OPTIONS,
    reason: { type: 'string' },
    for: { type: 'string' },
  },
  async run(args, io) {
    const now = Date.now();
    const scope = scopeFrom(args, 'pause', true);
    const reason = args.values['reason'] ?? args.values['comment'];
    if (typeof reason !== 'string' || !reason) throw new CliError('pause: say why with --reason');
    const forMs =
      typeof args.values['for'] === 'string' ? parseDuration(args.values['for'], 'for') : null;
    const record = controlRecord({
      controlId: `pause:${scopeKey(scope)}`,
      kind: 'PAUSE',
      action: 'SET',
      scope,
      startsAt: now,
      endsAt: forMs === null ? null : now + forMs,
      author: authorOf(args, io),
      comment: reason,
      createdAt: now,
    });
    return sendControl(
      io,
      args,
      record,
      `paused ${describeScope(scope)} ${record.endsAt === null ? 'until resumed' : `until ${new Date(record.endsAt).toISOString()}`}`,
    );
  },
};

export const resume: Command = {
  path: ['resume'],
  summary: 'lift the pause of the same scope',
  usage:
    'healstream resume [--component X | --team T | --label k=v …] [--comment C] [--author A] [--json]',
  options: { ...SCOPE_OPTIONS, ...WHO_OPTIONS },
  async run(args, io) {
    const now = Date.now();
    const scope = scopeFrom(args, 'resume', true);
    const record = controlRecord({
      controlId: `pause:${scopeKey(scope)}`,
      kind: 'PAUSE',
      action: 'END',
      scope,
      author: authorOf(args, io),
      comment: typeof args.values['comment'] === 'string' ? args.values['comment'] : '',
      createdAt: now,
    });
    return sendControl(io, args, record, `resumed ${describeScope(scope)}`);
  },
};
