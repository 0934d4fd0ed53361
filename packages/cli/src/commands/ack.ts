import { CliError, type Command } from '../command.js';
import { WHO_OPTIONS, authorOf, controlRecord, sendControl } from './control-shared.js';

export const ack: Command = {
  path: ['ack'],
  summary: 'acknowledge an incident: no further automatic action on it until it resolves',
  usage: 'healstream ack <incident-id> [--comment C] [--author A] [--undo] [--json]',
  options: { ...WHO_OPTIONS, undo: { type: 'boolean' } },
  async run(args, io) {
    const incidentId = args.positionals[0];
    if (!incidentId) throw new CliError('ack: which incident? (see healstream incidents)');
    const undo = args.values['undo'] === true;
    const record = controlRecord({
      controlId: `ack:${incidentId}`,
      kind: 'ACKNOWLEDGE',
      action: undo ? 'END' : 'SET',
      incidentId,
      author: authorOf(args, io),
      comment: typeof args.values['comment'] === 'string' ? args.values['comment'] : '',
      createdAt: Date.now(),
    });
    return sendControl(
      io,
      args,
      record,
      undo
        ? `acknowledgement of incident ${incidentId} withdrawn`
        : `incident ${incidentId} acknowledged`,
    );
  },
};
