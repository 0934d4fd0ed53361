import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue } from '@healstream/contracts';
import { loadPolicyDir, loadPolicyFiles } from './load.js';

const fixtures = fileURLToPath(new URL('../../test-fixtures/policies/', import.meta.url));

function failure(dir: string): { code: string; lines: string[] } {
  try {
    loadPolicyDir(dir, { baseDir: fixtures });
  } catch (error) {
    if (error instanceof ConfigError)
      return { code: error.code, lines: error.issues.map(formatIssue) };
    throw error;
  }
  throw new Error(`${dir} loaded without error`);
}

describe('loading policy files', () => {
  it('reads every field of a valid file', () => {
    const [policy] = loadPolicyDir('good', { baseDir: fixtures });
    expect(policy).toMatchObject({
      name: 'Everything Set',
      selector: { components: ['pay*', 'checkout'], labels: { tier: 'critical' } },
      conditions: [
        { kind: 'metric', metric: 'latency_p99', operator: 'gte', threshold: 400 },
        { kind: 'cause', cause: 'connection-pool-exhaustion', minConfidence: 0.6 },
        { kind: 'anomaly', metric: 'latency_p99', minScore: 0.5 },
      ],
      actions: [
        { name: 'scale-up', params: { replicas: '2' } },
        { name: 'restart-service', params: { grace_seconds: '30' } },
      ],
      priority: 8,
      cooldownSeconds: 120,
      maxPerHour: 3,
      mode: 'shadow',
      source: { file: 'good/policy.yaml', line: 1 },
    });
  });

  it('reports wrong types with file, line, column and field', () => {
    expect(failure('bad-types').lines).toEqual([
      "bad-types/policy.yaml:5:18: conditions[0].threshold: expected number, got 'fast'",
      "bad-types/policy.yaml:8:21: cooldown_seconds: expected number, got 'soon'",
      "bad-types/policy.yaml:9:12: enabled: expected boolean, got 'yes'",
    ]);
  });

  it('reports an unknown operator, suggesting the close one', () => {
    const { lines } = failure('unknown-operator');
    expect(lines[0]).toBe(
      "unknown-operator/policy.yaml:4:17: conditions[0].operator: unknown value 'greater' (expected one of gt, gte, lt, lte, eq, ne)",
    );
    expect(lines[1]).toBe(
      "unknown-operator/policy.yaml:7:17: conditions[1].operator: unknown value 'gtt' (expected one of gt, gte, lt, lte, eq, ne) (did you mean 'gt'?)",
    );
  });

  it('reports an unknown action with a suggestion and a parameter out of its bounds', () => {
    expect(failure('unknown-action').lines).toEqual([
      "unknown-action/policy.yaml:9:7: actions[1]: unknown action 'restart-servce' (did you mean 'restart-service'?)",
      'unknown-action/policy.yaml:12:19: actions[2].params.replicas: 50 is too big (at most 20)',
    ]);
  });

  it('reports a priority of 11 under a policies: mapping', () => {
    expect(failure('priority').lines).toEqual([
      'priority/policy.yaml:7:15: priority: 11 is too big (at most 10)',
    ]);
  });

  it('reports a YAML syntax error with its position', () => {
    const { lines } = failure('syntax');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^syntax\/policy\.yaml:\d+:\d+: YAML syntax error: /);
  });

  it('puts a YAML syntax error on its real line, once (a mis-indented key on line 5)', () => {
    const { lines } = failure('misindented');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^misindented\/policy\.yaml:5:\d+: YAML syntax error: /);
  });

  it('refuses a name defined in two files, naming both places', () => {
    const { code, lines } = failure('duplicates');
    expect(code).toBe('POLICY_DUPLICATE');
    expect(lines).toEqual([
      "duplicates/b.yaml:9:1: name: duplicate policy name 'Restart On Latency' (first defined at duplicates/a.yaml:1)",
    ]);
  });

  it('loads files and directories together', () => {
    const policies = loadPolicyFiles(['good', 'duplicates/a.yaml'], { baseDir: fixtures });
    expect(policies.map((p) => p.name)).toEqual(['Everything Set', 'Restart On Latency']);
  });
});
