import { CliError, type Command, type CommandIo, type ParsedArgs } from '../command.js';
import { authorOf, controlRecord, writeControl } from './control-shared.js';

async function answer(args: ParsedArgs, io: CommandIo, approved: boolean): Promise<number> {
  const verb = approved ? 'approve' : 'deny';
  const commandId = args.positionals[0];
  if (!commandId)
    throw new CliError(`${verb}: which command? e.g. healstream ${verb} cmd-… (the page names it)`);
  const reason = typeof args.values['reason'] === 'string' ? args.values['reason'].trim() : '';
  if (!approved && !reason) throw new CliError('deny: say why with --reason "…"');
  const author = authorOf(args, io);
  const record = controlRecord({
    controlId: `approval:${commandId}`,
    kind: 'APPROVAL',
    commandId,
    approved,
    author,
    comment: approved
      ? typeof args.values['comment'] === 'string'
        ? args.values['comment']
        : ''
      : reason,
    createdAt: Date.now(),
  });
  const partitions = await writeControl(io, record);
  if (args.values['json'] === true)
    io.out(JSON.stringify({ commandId, approved, author, partitions: partitions.length }));
  else
    io.out(
      `${approved ? 'approval' : 'denial'} of ${commandId} by ${author} published (control topic, ${partitions.length} partitions); the evaluator holding it ${approved ? 'dispatches it once' : 'drops it and pages'}`,
    );
  return 0;
}

export const approve: Command = {
  path: ['approve'],
  summary: 'approve a command waiting in PENDING_APPROVAL: it runs, once',
  usage: 'healstream approve <commandId> [--author NAME] [--comment TEXT] [--json]',
  options: { author: { type: 'string' }, comment: { type: 'string' }, json: { type: 'boolean' } },
  run: (args, io) => answer(args, io, true),
};

export const deny: Command = {
  path: ['deny'],
  summary: 'deny a command waiting in PENDING_APPROVAL: it never runs, and a page says so',
  usage: 'healstream deny <commandId> --reason TEXT [--author NAME] [--json]',
  options: { reason: { type: 'string' }, author: { type: 'string' }, json: { type: 'boolean' } },
  run: (args, io) => answer(args, io, false),
};
