/**
 * Policies without a restart: `apply` validates a directory and publishes it as the next
 * version (a POLICY_SET control record on every partition), `history` lists the versions,
 * `rollback` publishes an old version again as a new one. Each version has its own controlId,
 * so compaction keeps every version for `history`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, formatIssue, type ControlRecord } from '@healstream/contracts';
import {
  loadPolicySet,
  parsePolicySetDocument,
  policySetDiff,
  readPolicySetFiles,
  type PolicySetDocument,
} from '@healstream/core';
import { CliError, type Command, type CommandIo } from '../command.js';
import { cliKafka, resolveEnv } from '../connection.js';
import { readControlLog } from '../control-log.js';
import { serdeFor } from '../topic-reader.js';
import { authorOf, controlRecord, writeControl } from './control-shared.js';
import { pathFrom } from './policies-shared.js';

export interface PolicyVersion {
  version: number;
  author: string;
  createdAt: number;
  comment: string;
  offset: string;
  document: PolicySetDocument | null;
  /** What it changed from the version before; "ignored" when its number was taken already. */
  summary: string;
}

/** The versions in the order the evaluators saw them; a repeated number is the one they ignored. */
export function policyVersions(log: { offset: string; record: ControlRecord }[]): PolicyVersion[] {
  const out: PolicyVersion[] = [];
  let running: PolicySetDocument | null = null;
  let top = 0;
  for (const { offset, record } of log) {
    if (record.kind !== 'POLICY_SET' || record.version === null) continue;
    let document: PolicySetDocument | null = null;
    try {
      document = parsePolicySetDocument(record.document);
    } catch {
      document = null;
    }
    let summary: string;
    if (record.version <= top) summary = `ignored: v${top} was already published`;
    else if (!document) summary = 'ignored: not a policy set document';
    else {
      summary = policySetDiff(running, document);
      try {
        loadPolicySet(document);
        running = document;
        top = record.version;
      } catch {
        summary = 'refused by the evaluators: does not load';
      }
    }
    out.push({
      version: record.version,
      author: record.author,
      createdAt: record.createdAt,
      comment: record.comment,
      offset,
      document,
      summary,
    });
  }
  return out;
}

async function history(io: CommandIo): Promise<PolicyVersion[]> {
  const config = await resolveEnv(io);
  return policyVersions(
    await readControlLog(cliKafka(config), serdeFor(config), config.HEALSTREAM_TOPIC_PREFIX),
  );
}

const latest = (versions: PolicyVersion[]) => versions.reduce((n, v) => Math.max(n, v.version), 0);

async function publish(
  io: CommandIo,
  document: PolicySetDocument,
  version: number,
  author: string,
  comment: string,
): Promise<number[]> {
  const record = controlRecord({
    controlId: `policies:v${version}:${randomUUID().slice(0, 8)}`,
    kind: 'POLICY_SET',
    version,
    document: JSON.stringify(document),
    author,
    comment,
    createdAt: Date.now(),
  });
  return writeControl(io, record);
}

export const policiesApply: Command = {
  path: ['policies', 'apply'],
  summary: 'validate a policy directory and publish it as the next version, no restart',
  usage:
    'healstream policies apply <dir> [--components FILE] [--author NAME] [--comment TEXT] [--json]',
  options: {
    components: { type: 'string' },
    author: { type: 'string' },
    comment: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const dir = args.positionals[0];
    if (!dir) throw new CliError('policies apply: which directory? e.g. policies/');
    if (!existsSync(pathFrom(io, dir)) || !statSync(pathFrom(io, dir)).isDirectory())
      throw new CliError(`policies apply: not a directory: ${dir}`);
    const components = args.values['components'];
    if (typeof components === 'string' && !existsSync(pathFrom(io, components)))
      throw new CliError(`components file not found: ${components}`);
    // As `policies validate` and the evaluator find it: given, beside the policies, or the root's.
    const inDir = join(dir, 'components.yaml');
    const componentsFile =
      typeof components === 'string'
        ? components
        : existsSync(pathFrom(io, inDir))
          ? inDir
          : existsSync(pathFrom(io, 'components.yaml'))
            ? 'components.yaml'
            : undefined;
    const document = readPolicySetFiles(dir, { components: componentsFile, baseDir: io.cwd });
    if (document.policies.length === 0)
      throw new CliError(`policies apply: ${dir} holds no *.yaml policy file`);
    let count: number;
    try {
      count = loadPolicySet(document).policies.length;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const issue of error.issues) io.err(formatIssue(issue));
      io.err(`${error.issues.length} problem(s) found: nothing published, the running set stays`);
      return 1;
    }
    const versions = await history(io);
    const version = latest(versions) + 1;
    const running = [...versions]
      .reverse()
      .find((v) => !v.summary.startsWith('refused') && !v.summary.startsWith('ignored'));
    const summary = policySetDiff(running?.document ?? null, document);
    const author = authorOf(args, io);
    const comment = typeof args.values['comment'] === 'string' ? args.values['comment'] : '';
    const partitions = await publish(io, document, version, author, comment);
    if (args.values['json'] === true)
      io.out(
        JSON.stringify({
          version,
          policies: count,
          summary,
          author,
          partitions: partitions.length,
        }),
      );
    else
      io.out(
        `published policy set v${version} (${count} policies: ${summary}) by ${author} to ${partitions.length} partitions; every evaluator switches at that record`,
      );
    return 0;
  },
};

export const policiesHistory: Command = {
  path: ['policies', 'history'],
  summary: 'the published policy set versions: who, when, what changed',
  usage: 'healstream policies history [--json]',
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    const versions = await history(io);
    if (args.values['json'] === true) {
      io.out(
        JSON.stringify(
          versions.map(({ document: _d, ...v }) => ({
            ...v,
            files: _d?.policies.map((p) => p.file) ?? [],
          })),
        ),
      );
      return 0;
    }
    if (versions.length === 0)
      io.out('no policy set published yet: the evaluators run the files they started with');
    for (const v of versions)
      io.out(
        `v${v.version}  ${new Date(v.createdAt).toISOString()}  ${v.author || 'unknown'}  ${v.summary}${v.comment ? `  — ${v.comment}` : ''}`,
      );
    return 0;
  },
};

export const policiesRollback: Command = {
  path: ['policies', 'rollback'],
  summary: 'publish an earlier policy set version again, as a new version',
  usage: 'healstream policies rollback <version> [--author NAME] [--comment TEXT] [--json]',
  options: { author: { type: 'string' }, comment: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const wanted = Number(String(args.positionals[0] ?? '').replace(/^v/, ''));
    if (!Number.isInteger(wanted) || wanted < 1)
      throw new CliError('policies rollback: which version? e.g. healstream policies rollback 3');
    const versions = await history(io);
    const target = versions.find(
      (v) =>
        v.version === wanted &&
        !v.summary.startsWith('ignored') &&
        !v.summary.startsWith('refused'),
    );
    if (!target?.document)
      throw new CliError(
        `policies rollback: no version ${wanted} in the history (have: ${versions.map((v) => `v${v.version}`).join(', ') || 'none'})`,
      );
    const version = latest(versions) + 1;
    const author = authorOf(args, io);
    const comment =
      typeof args.values['comment'] === 'string'
        ? args.values['comment']
        : `rollback to v${wanted}`;
    const partitions = await publish(io, target.document, version, author, comment);
    if (args.values['json'] === true)
      io.out(JSON.stringify({ version, from: wanted, author, partitions: partitions.length }));
    else
      io.out(
        `published v${wanted}'s policy set again as v${version} by ${author} to ${partitions.length} partitions`,
      );
    return 0;
  },
};
