import { randomBytes, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { topicsFor, type ControlRecord, type ControlScope } from '@healstream/contracts';
import { publishControl, type BaseEnv } from '@healstream/runtime';
import { CliError, type CommandIo, type OptionSpec, type ParsedArgs } from '../command.js';
import { cliKafka, resolveEnv } from '../connection.js';
import { serdeFor } from '../topic-reader.js';

export { controlRecord } from '@healstream/contracts';

/** The options every command that writes a control record takes. */
export const WHO_OPTIONS: OptionSpec = {
  author: { type: 'string' },
  comment: { type: 'string' },
  json: { type: 'boolean' },
};

/** The scope options of maintenance and pause. */
export const SCOPE_OPTIONS: OptionSpec = {
  component: { type: 'string' },
  team: { type: 'string' },
  label: { type: 'string', multiple: true },
  all: { type: 'boolean' },
};

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `2h`, `1d`, or `1h30m`: milliseconds. */
export function parseDuration(text: string, option: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new CliError(`--${option}: not a duration: ${text} (e.g. 90s, 30m, 2h, 1d, 1h30m)`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * (UNITS[p[2] as string] as number), 0);
}

/** `now` or an ISO 8601 time (a time without zone is taken as UTC): epoch ms. */
export function parseTime(text: string, option: string, now: number): number {
  if (text === 'now') return now;
  const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(text) || !text.includes('T') ? text : `${text}Z`;
  const at = Date.parse(zoned);
  if (Number.isNaN(at))
    throw new CliError(
      `--${option}: not a time: ${text} (ISO 8601, e.g. 2026-12-01T22:00Z, or now)`,
    );
  return at;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** The scope from --component/--team/--label/--all; `fallbackAll` when none is given. */
export function scopeFrom(args: ParsedArgs, command: string, fallbackAll: boolean): ControlScope {
  const labels: Record<string, string> = {};
  const given = args.values['label'];
  for (const l of Array.isArray(given) ? given.map(String) : []) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new CliError(`${command}: --label wants key=value, got ${l}`);
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  const scope: ControlScope = {
    all: args.values['all'] === true,
    component: str(args.values['component']),
    team: str(args.values['team']),
    labels,
  };
  const narrowed =
    scope.component !== null || scope.team !== null || Object.keys(labels).length > 0;
  if (scope.all && narrowed)
    throw new CliError(`${command}: --all covers everything; drop --component, --team and --label`);
  if (!scope.all && !narrowed) {
    if (!fallbackAll)
      throw new CliError(
        `${command}: which components? give --component, --team, --label k=v or --all`,
      );
    scope.all = true;
  }
  return scope;
}

/** A stable name for a scope, for the controlId of a pause. */
export function scopeKey(scope: ControlScope): string {
  if (scope.all) return 'all';
  return [
    ...(scope.component !== null ? [`component=${scope.component}`] : []),
    ...(scope.team !== null ? [`team=${scope.team}`] : []),
    ...Object.entries(scope.labels)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`),
  ].join(',');
}

export const shortId = () => randomBytes(4).toString('hex');

/**
 * Who a control record names: --author, else HEALSTREAM_AUTHOR, else the login name
 * ($USER, $LOGNAME, the account's), else `unknown`.
 */
export function authorOf(args: ParsedArgs, io: CommandIo): string {
  const given = str(args.values['author'])?.trim();
  if (given) return given;
  const env = io.env['HEALSTREAM_AUTHOR'] || io.env['USER'] || io.env['LOGNAME'];
  if (env) return env;
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Publishes one record to every partition of the control topic; the partitions written. */
export async function writeControl(
  io: CommandIo,
  record: ControlRecord,
  config?: Readonly<BaseEnv>,
): Promise<number[]> {
  const env = config ?? (await resolveEnv(io));
  return publishControl(cliKafka(env), env, record);
}

/** Writes the record to every partition of the control topic and says so. */
export async function sendControl(
  io: CommandIo,
  args: ParsedArgs,
  record: ControlRecord,
  summary: string,
  config?: Readonly<BaseEnv>,
): Promise<number> {
  const partitions = await writeControl(io, record, config);
  if (args.values['json']) io.out(JSON.stringify({ ...record, partitions: partitions.length }));
  else io.out(`${summary} (${record.controlId}, on ${partitions.length} partitions)`);
  return 0;
}

/**
 * The control records in force: the latest per controlId, read from partition 0 of the
 * compacted control topic to its end (every record is on every partition).
 */
export async function readControls(config: Readonly<BaseEnv>): Promise<Map<string, ControlRecord>> {
  const { topic } = topicsFor(config.HEALSTREAM_TOPIC_PREFIX).control;
  const kafka = cliKafka(config);
  const serde = serdeFor(config);
  const admin = kafka.admin();
  await admin.connect();
  const latest = new Map<string, ControlRecord>();
  const groupId = `healstream-cli-${randomUUID()}`;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const end = Number(offsets.find((o) => o.partition === 0)?.high ?? 0);
    if (end === 0) return latest;
    const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timeout = setTimeout(
          () => reject(new CliError(`reading ${topic} to its end took longer than 60 s`)),
          60_000,
        );
        let grace: NodeJS.Timeout | undefined;
        const finish = () => {
          clearTimeout(timeout);
          clearTimeout(grace);
          resolve();
        };
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              if (partition !== 0) return;
              if (message.value !== null) {
                const record = await serde.decode<ControlRecord>(message.value, 'ControlRecord');
                latest.set(record.controlId, record);
              }
              const offset = Number(message.offset);
              if (offset >= end - 1) finish();
              // Written in a transaction, the last record is followed by its commit marker
              // (end - 1); a record written without one would still arrive within the grace.
              else if (offset >= end - 2) grace ??= setTimeout(finish, 500);
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
  return latest;
}

/** Whether a window or pause can still be in force at `now` (wall clock). */
export function inForce(record: ControlRecord, now: number): boolean {
  if (record.action !== 'SET') return false;
  if (record.recurrence === 'weekly' && record.startsAt !== null && record.endsAt !== null)
    return true;
  return record.endsAt === null || record.endsAt > now;
}
