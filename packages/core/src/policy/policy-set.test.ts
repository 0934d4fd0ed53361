import { ConfigError, formatIssue } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import {
  loadPolicySet,
  policySetDiff,
  switchPolicySet,
  type PolicySetDocument,
} from './policy-set.js';

const policy = (name: string, threshold = 0.1) => `- name: ${name}
  conditions: [{ metric: error_rate, operator: gt, threshold: ${threshold} }]
  actions: [restart-service]
`;

const doc = (...files: [string, string][]): PolicySetDocument => ({
  format: 1,
  policies: files.map(([file, text]) => ({ file, text })),
  components: null,
});

const record = (version: number, document: PolicySetDocument | string) => ({
  version,
  document: typeof document === 'string' ? document : JSON.stringify(document),
  author: 'alice',
  createdAt: 0,
});

describe('policy sets', () => {
  it('load every file with the loaders of policy files, problems located', () => {
    expect(
      loadPolicySet(doc(['p/a.yaml', policy('a')], ['p/b.yaml', policy('b')])).policies.map(
        (p) => p.name,
      ),
    ).toEqual(['a', 'b']);
    const misindented =
      '- name: a\n  conditions:\n    - metric: error_rate\n      threshold: 5\n     operator: gt\n  actions: [restart-service]\n';
    try {
      loadPolicySet(doc(['p/a.yaml', misindented], ['p/b.yaml', policy('a')]));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const lines = (error as ConfigError).issues.map(formatIssue);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^p\/a\.yaml:5:\d+: YAML syntax error/);
    }
  });

  it('switch a partition to a newer version that loads, and only to that', () => {
    const v2 = switchPolicySet({ version: 1 }, record(2, doc(['p/a.yaml', policy('new')])));
    expect(v2.next?.policies.map((p) => p.name)).toEqual(['new']);
    expect(v2.note).toBe('switched to policy set v2 (1 policies, by alice)');

    const replay = switchPolicySet({ version: 2 }, record(2, doc(['p/a.yaml', policy('x')])));
    expect(replay).toEqual({ next: null, note: 'policy set v2 ignored: v2 is already running' });

    const broken = switchPolicySet({ version: 2 }, record(3, doc(['p/a.yaml', '- name: [\n'])));
    expect(broken.next).toBeNull();
    expect(broken.note).toMatch(/^policy set v3 refused, v2 keeps running: .*p\/a\.yaml:\d+:\d+/);
    expect(switchPolicySet(null, record(1, '{"nope":1}')).next).toBeNull();
  });

  it('summarise what changed from one version to the next', () => {
    const v1 = doc(['a.yaml', policy('a') + policy('b')]);
    const v2 = doc(['a.yaml', policy('a', 0.2) + policy('c')]);
    expect(policySetDiff(null, v1)).toBe('+a, +b');
    expect(policySetDiff(v1, v2)).toBe('+c, -b, ~a');
    expect(policySetDiff(v2, v2)).toBe('no change');
  });
});
