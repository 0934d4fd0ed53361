import type { ConfigIssue } from '@healstream/contracts';
import type { Policy } from './types.js';

/**
 * Policies gathered file by file, each name once: a name defined again is an issue naming both
 * places, and the later policy is left out.
 */
export function uniquePolicies(issues: ConfigIssue[]): {
  policies: Policy[];
  add(file: string, parsed: readonly Policy[]): void;
} {
  const byName = new Map<string, Policy>();
  const policies: Policy[] = [];
  return {
    policies,
    add(file, parsed) {
      for (const policy of parsed) {
        const first = byName.get(policy.name);
        if (first) {
          issues.push({
            file,
            line: policy.source.line,
            column: 1,
            field: 'name',
            message: `duplicate policy name '${policy.name}' (first defined at ${first.source.file}:${first.source.line})`,
          });
          continue;
        }
        byName.set(policy.name, policy);
        policies.push(policy);
      }
    },
  };
}
