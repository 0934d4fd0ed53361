/**
 * A policy set: the policy files and components file an evaluator decides with, as one
 * versioned document. `healstream policies apply` validates the files and publishes them as a
 * POLICY_SET control record; each evaluator partition parses the document again at that record
 * (the same loaders, so the same rules) and switches to it, or keeps its running set when the
 * document does not load. The texts travel, not the parsed policies: the components file's
 * custom actions carry parameter schemas that only the loader can rebuild.
 */
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '@healstream/contracts';
import { DEFAULT_ACTIONS } from '../actions/registry.js';
import { parseComponents, type ComponentRegistry } from '../components/registry.js';
import { parsePolicies } from './parse.js';
import type { Policy } from './types.js';
import { uniquePolicies } from './unique-names.js';

const fileSchema = z.object({ file: z.string().min(1), text: z.string() });

export const policySetDocumentSchema = z.object({
  format: z.literal(1),
  /** Policy files in load order. */
  policies: z.array(fileSchema),
  /** null: the evaluator keeps the components file it started with. */
  components: fileSchema.nullable(),
});

export type PolicySetDocument = z.infer<typeof policySetDocumentSchema>;

export interface LoadedPolicySet {
  policies: Policy[];
  components: ComponentRegistry | null;
}

/** Parses every file of the document; one ConfigError with every located problem, or the set. */
export function loadPolicySet(document: PolicySetDocument): LoadedPolicySet {
  const issues: ConfigIssue[] = [];
  let components: ComponentRegistry | null = null;
  if (document.components) {
    try {
      components = parseComponents(document.components.text, document.components.file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues);
    }
  }
  const actions = components?.actions ?? DEFAULT_ACTIONS;
  const unique = uniquePolicies(issues);
  for (const { file, text } of document.policies) {
    try {
      unique.add(file, parsePolicies(text, file, { actions }));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw ConfigError.located('POLICY_INVALID', issues);
  return { policies: unique.policies, components };
}

/** The document of a POLICY_SET record, checked; a ConfigError when it is not one. */
export function parsePolicySetDocument(json: string | null): PolicySetDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(json ?? 'null');
  } catch (error) {
    throw ConfigError.located('POLICY_INVALID', [
      {
        file: 'policy set',
        line: 1,
        column: 1,
        field: 'document',
        message: (error as Error).message,
      },
    ]);
  }
  const parsed = policySetDocumentSchema.safeParse(raw);
  if (!parsed.success)
    throw ConfigError.located('POLICY_INVALID', [
      {
        file: 'policy set',
        line: 1,
        column: 1,
        field: 'document',
        message: `not a policy set document: ${parsed.error.issues[0]?.message ?? ''}`,
      },
    ]);
  return parsed.data;
}

/** What a person compares between two versions: a policy without where it was written. */
function comparable(policy: Policy): string {
  const { source: _source, ...rest } = policy;
  return JSON.stringify(rest);
}

/** `+ added, - removed, ~ changed` policies from one set to the next, and a components change. */
export function policySetDiff(before: PolicySetDocument | null, after: PolicySetDocument): string {
  const load = (d: PolicySetDocument) => {
    try {
      return loadPolicySet(d).policies;
    } catch {
      return null;
    }
  };
  const next = load(after);
  if (!next) return 'does not load';
  const prev = before ? load(before) : [];
  if (!prev) return `${next.length} policies (the version before does not load)`;
  const old = new Map(prev.map((p) => [p.name, comparable(p)]));
  const now = new Map(next.map((p) => [p.name, comparable(p)]));
  const parts = [
    ...next.filter((p) => !old.has(p.name)).map((p) => `+${p.name}`),
    ...prev.filter((p) => !now.has(p.name)).map((p) => `-${p.name}`),
    ...next
      .filter((p) => old.has(p.name) && old.get(p.name) !== now.get(p.name))
      .map((p) => `~${p.name}`),
  ];
  if (!before) {
    if (after.components) parts.push('+components');
  } else if ((before.components?.text ?? null) !== (after.components?.text ?? null))
    parts.push('~components');
  return parts.length > 0 ? parts.join(', ') : 'no change';
}

/** The set a partition decides with, as its state keeps it (the changelog restores it). */
export interface ActivePolicySet {
  version: number;
  author: string;
  /** The control record's createdAt. */
  publishedAt: number;
  document: PolicySetDocument;
}

export interface PolicySetSwitch {
  /** The set to decide with from this record on, or null to keep the running one. */
  next: (ActivePolicySet & LoadedPolicySet) | null;
  note: string;
}

/**
 * A POLICY_SET control record against the partition's running version: a newer version that
 * loads replaces it; an older or equal one (a replay) or one that does not load leaves it.
 */
export function switchPolicySet(
  current: { version: number } | null,
  record: {
    version: number | null;
    document: string | null;
    author: string;
    createdAt: number;
  },
): PolicySetSwitch {
  const version = record.version;
  if (version === null) return { next: null, note: 'policy set without a version ignored' };
  if (current && version <= current.version)
    return {
      next: null,
      note: `policy set v${version} ignored: v${current.version} is already running`,
    };
  try {
    const document = parsePolicySetDocument(record.document);
    const loaded = loadPolicySet(document);
    return {
      next: { version, author: record.author, publishedAt: record.createdAt, document, ...loaded },
      note: `switched to policy set v${version} (${loaded.policies.length} policies, by ${record.author || 'unknown'})`,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      next: null,
      note: `policy set v${version} refused, v${current?.version ?? 0} keeps running: ${error.message.split('\n').slice(0, 3).join('; ')}`,
    };
  }
}
