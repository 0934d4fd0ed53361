import { describeScope, leverEndsAt } from '@healstream/core';
import { CliError, type Command } from '../command.js';
import { resolveEnv } from '../connection.js';
import {
  SCOPE_OPTIONS,
  WHO_OPTIONS,
  authorOf,
  controlRecord,
  inForce,
  parseDuration,
  parseTime,
  readControls,
  scopeFrom,
  sendControl,
  shortId,
} from './control-shared.js';

const WEEK_MS = 7 * 86_400_000;

export const maintenanceAdd: Command = {
  path: ['maintenance', 'add'],
  summary: 'a maintenance window: no automatic action on what it covers while it lasts',
  usage:
    'healstream maintenance add (--component X | --team T | --label k=v … | --all) [--start T] (--end T | --duration D) [--weekly] [--hold-pages] [--id ID] --comment C [--author A] [--json]',
  options: {
    ...SCOPE_OPTIONS,
    ...WHO_OPTIONS,
    start: { type: 'string' },
    end: { type: 'string' },
    duration: { type: 'string' },
    weekly: { type: 'boolean' },
    'hold-pages': { type: 'boolean' },
    id: { type: 'string' },
  },
  async run(args, io) {
    const now = Date.now();
    const v = args.values;
    const scope = scopeFrom(args, 'maintenance add', false);
    const startsAt = typeof v['start'] === 'string' ? parseTime(v['start'], 'start', now) : now;
    if (typeof v['end'] === 'string' && typeof v['duration'] === 'string')
      throw new CliError('maintenance add: give --end or --duration, not both');
    const endsAt =
      typeof v['end'] === 'string'
        ? parseTime(v['end'], 'end', now)
        : typeof v['duration'] === 'string'
          ? startsAt + parseDuration(v['duration'], 'duration')
          : null;
    if (endsAt === null)
      throw new CliError('maintenance add: when does it end? give --end or --duration');
    if (endsAt <= startsAt) throw new CliError('maintenance add: the window ends before it starts');
    const weekly = v['weekly'] === true;
    if (weekly && endsAt - startsAt >= WEEK_MS)
      throw new CliError('maintenance add: a weekly window must last less than a week');
    if (!weekly && endsAt <= now)
      throw new CliError(
        `maintenance add: the window ended already (${new Date(endsAt).toISOString()})`,
      );
    const comment = typeof v['comment'] === 'string' ? v['comment'] : '';
    if (!comment) throw new CliError('maintenance add: say why with --comment');
    const id = typeof v['id'] === 'string' ? v['id'] : `mw-${shortId()}`;
    const record = controlRecord({
      controlId: id.startsWith('maintenance:') ? id : `maintenance:${id}`,
      kind: 'MAINTENANCE',
      action: 'SET',
      scope,
      startsAt,
      endsAt,
      recurrence: weekly ? 'weekly' : null,
      holdPages: v['hold-pages'] === true,
      author: authorOf(args, io),
      comment,
      createdAt: now,
    });
    return sendControl(
      io,
      args,
      record,
      `maintenance window for ${describeScope(scope)} from ${new Date(startsAt).toISOString()} to ${new Date(endsAt).toISOString()}${weekly ? ', every week' : ''}, pages ${record.holdPages ? 'held' : 'sent'}`,
    );
  },
};

export const maintenanceList: Command = {
  path: ['maintenance', 'list'],
  summary: 'maintenance windows not yet over, read from the control topic',
  usage: 'healstream maintenance list [--json]',
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    const config = await resolveEnv(io);
    const now = Date.now();
    const windows = [...(await readControls(config)).values()].filter(
      (r) => r.kind === 'MAINTENANCE' && inForce(r, now),
    );
    if (args.values['json']) {
      io.out(JSON.stringify(windows));
      return 0;
    }
    if (windows.length === 0) io.out('no maintenance window');
    for (const r of windows) {
      const lever = { ...r, recurrence: r.recurrence };
      const active =
        r.startsAt !== null && now < r.startsAt
          ? `from ${new Date(r.startsAt).toISOString()}`
          : `until ${new Date(leverEndsAt(lever, now) ?? 0).toISOString()}`;
      io.out(
        `${r.controlId.replace(/^maintenance:/, '')}  ${describeScope(r.scope)}  ${active}${r.recurrence ? ` (${r.recurrence})` : ''}  pages ${r.holdPages ? 'held' : 'sent'}  ${r.author}: ${r.comment}`,
      );
    }
    return 0;
  },
};

export const maintenanceEnd: Command = {
  path: ['maintenance', 'end'],
  summary: 'end a maintenance window now',
  usage: 'healstream maintenance end <id> [--comment C] [--author A] [--json]',
  options: WHO_OPTIONS,
  async run(args, io) {
    const id = args.positionals[0];
    if (!id) throw new CliError('maintenance end: which window? (see maintenance list)');
    const controlId = id.startsWith('maintenance:') ? id : `maintenance:${id}`;
    const config = await resolveEnv(io);
    const current = (await readControls(config)).get(controlId);
    if (!current || current.action !== 'SET')
      throw new CliError(`maintenance end: no maintenance window ${id} (see maintenance list)`);
    const now = Date.now();
    // The END keeps what the window was, so the compacted topic still tells its story.
    const record = {
      ...current,
      action: 'END' as const,
      author: authorOf(args, io),
      comment:
        typeof args.values['comment'] === 'string' ? args.values['comment'] : current.comment,
      createdAt: now,
    };
    return sendControl(io, args, record, `maintenance window ${id} ended`, config);
  },
};
