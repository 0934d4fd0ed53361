import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '@healstream/contracts';
import { parsePolicies, type ParsePoliciesOptions } from './parse.js';
import type { Policy } from './types.js';
import { uniquePolicies } from './unique-names.js';

/** `*.yaml` / `*.yml` files of a directory, sorted so loading order is stable. */
export function policyFilesIn(dir: string, baseDir?: string): string[] {
  return readdirSync(baseDir && !isAbsolute(dir) ? resolve(baseDir, dir) : dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Loads policy files (a directory stands for its YAML files). Every file is checked, every
 * problem reported in one ConfigError; a name defined in two files is an error naming both.
 */
export interface LoadPoliciesOptions extends ParsePoliciesOptions {
  /** Relative paths are read from here (default: the process's cwd) but reported as given. */
  baseDir?: string;
}

export function loadPolicyFiles(
  paths: readonly string[],
  options: LoadPoliciesOptions = {},
): Policy[] {
  const at = (p: string) => (options.baseDir && !isAbsolute(p) ? resolve(options.baseDir, p) : p);
  const files = paths.flatMap((p) =>
    statSync(at(p)).isDirectory() ? policyFilesIn(p, options.baseDir) : [p],
  );
  const issues: ConfigIssue[] = [];
  const unique = uniquePolicies(issues);
  for (const file of files) {
    try {
      unique.add(file, parsePolicies(readFileSync(at(file), 'utf8'), file, options));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) {
    const code = issues.every((i) => i.message.startsWith('duplicate policy name'))
      ? 'POLICY_DUPLICATE'
      : 'POLICY_INVALID';
    throw ConfigError.located(code, issues);
  }
  return unique.policies;
}

/** Loads every policy file of a directory. */
export function loadPolicyDir(dir: string, options: LoadPoliciesOptions = {}): Policy[] {
  return loadPolicyFiles(policyFilesIn(dir, options.baseDir), options);
}
