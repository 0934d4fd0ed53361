import type { z } from 'zod';
import type { ConfigIssue } from '@healstream/contracts';
import { OPERATOR_SYMBOLS } from './policy/types.js';
import { suggest } from './suggest.js';
import { formatPath, valueAt, type Path, type YamlSource } from './yaml-source.js';

/** The allowed value a person most likely meant by `value`. */
function suggestValue(value: string, allowed: readonly string[]): string | undefined {
  const operator = OPERATOR_SYMBOLS[value.trim()];
  if (operator !== undefined) return allowed.includes(operator) ? operator : undefined;
  return suggest(value, allowed);
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/**
 * Turns zod issues into located, readable issues. `prefix` is where the validated value sits in
 * the file; `fieldFrom` is how much of the path is the item's own location (not shown in `field`).
 */
export function zodIssues(
  source: YamlSource,
  error: z.ZodError,
  prefix: Path,
  fieldFrom: number,
  knownKeys: (path: Path) => readonly string[] = () => [],
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    const field = (p: Path) => formatPath(p.slice(fieldFrom));
    const value = valueAt(source.value, path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const pos = source.locate(path, key);
        issues.push({
          file: source.file,
          ...pos,
          field: field([...path, key]),
          message: `unknown field '${key}'`,
          suggestion: suggest(key, knownKeys(path)),
        });
      }
      continue;
    }
    let message = issue.message;
    let suggestion: string | undefined;
    if (issue.code === 'invalid_value') {
      const allowed = issue.values.map(String);
      message = `unknown value ${show(value)} (expected one of ${allowed.join(', ')})`;
      if (typeof value === 'string') suggestion = suggestValue(value, allowed);
    } else if (issue.code === 'invalid_type') {
      message =
        value === undefined
          ? `missing required field (${issue.expected})`
          : `expected ${issue.expected}, got ${show(value)}`;
    } else if (issue.code === 'too_big') {
      message = `${show(value)} is too big (at most ${String(issue.maximum)})`;
    } else if (issue.code === 'too_small') {
      message =
        Array.isArray(value) || typeof value === 'string'
          ? `needs at least ${String(issue.minimum)} item(s)`
          : `${show(value)} is too small (at least ${String(issue.minimum)})`;
    }
    issues.push({
      file: source.file,
      ...source.locate(path),
      field: field(path),
      message,
      suggestion,
    });
  }
  return issues;
}

/** Issues in file, line and column order, as a person reads the file. */
export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
}
