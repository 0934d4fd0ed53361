import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createActionRegistry } from '../actions/registry.js';
import { ConfigError } from '@healstream/contracts';
import { parsePolicies } from './parse.js';

function issues(text: string, options = {}) {
  try {
    parsePolicies(text, 'p.yaml', options);
  } catch (error) {
    if (error instanceof ConfigError)
      return error.issues.map((i) => `${i.line}:${i.column} ${i.field}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('parsePolicies', () => {
  it('warns about a file that holds no policies, and loads it', () => {
    for (const text of ['', '# nothing yet\n']) {
      const warnings: string[] = [];
      expect(parsePolicies(text, 'p.yaml', { onWarning: (w) => warnings.push(w.message) })).toEqual(
        [],
      );
      expect(warnings).toEqual(['the file holds no policies (it is empty or only comments)']);
    }
  });

  it('suggests the operator a comparison symbol means, not the nearest spelling', () => {
    const suggested = (operator: string) => {
      try {
        parsePolicies(
          `- name: A\n  conditions: [{metric: error_rate, operator: "${operator}", threshold: 1}]\n  actions: [restart-service]\n`,
          'p.yaml',
        );
      } catch (error) {
        const issue = (error as ConfigError).issues[0];
        return `${issue?.line}:${issue?.field} ${issue?.suggestion}`;
      }
      return 'accepted';
    };
    // By spelling alone '<' and '=>' were both offered 'gt'.
    expect(['>', '>=', '=>', '<', '<=', '==', '!=', 'gtt'].map(suggested)).toEqual([
      '2:conditions[0].operator gt',
      '2:conditions[0].operator gte',
      '2:conditions[0].operator gte',
      '2:conditions[0].operator lt',
      '2:conditions[0].operator lte',
      '2:conditions[0].operator eq',
      '2:conditions[0].operator ne',
      '2:conditions[0].operator gt',
    ]);
  });

  it('loads the five default policies as the reference states them', () => {
    const text = readFileSync(
      new URL('../../../../policies/default.yaml', import.meta.url),
      'utf8',
    );
    const policies = parsePolicies(text, 'policies/default.yaml');
    expect(policies.map((p) => [p.name, p.priority, p.actions.map((a) => a.name)])).toEqual([
      ['Critical Latency Spike', 10, ['restart-service', 'alert-oncall']],
      ['High Error Rate', 9, ['enable-circuit-breaker', 'fallback-mode']],
      ['Resource Exhaustion', 7, ['scale-up', 'restart-service']],
      ['Moderate Latency', 5, ['scale-up']],
      ['Throughput Drop', 4, ['restart-service']],
    ]);
    expect(
      policies.every((p) => p.cooldownSeconds === 300 && p.enabled && p.mode === 'enforce'),
    ).toBe(true);
  });

  it('applies the defaults of the reference (priority 5, cooldown 300 s)', () => {
    const [p] = parsePolicies(
      '- name: A\n  conditions: [{metric: x, operator: gt, threshold: 1}]\n  actions: [restart-service]\n',
      'p.yaml',
    );
    expect(p).toMatchObject({
      priority: 5,
      cooldownSeconds: 300,
      maxPerHour: null,
      enabled: true,
      mode: 'enforce',
      selector: { components: [], labels: {} },
    });
  });

  it('needs a kind for every condition and at least one action', () => {
    expect(issues('- name: A\n  conditions: [{threshold: 1}]\n  actions: []\n')).toEqual([
      "2:16 conditions[0]: a condition needs one of 'metric' (with operator and threshold), 'cause', 'anomaly' or 'forecast'",
      '3:12 actions: needs at least 1 item(s)',
    ]);
  });

  it('suggests a field name for a misspelt one', () => {
    const found = issues(
      '- name: A\n  conditions: [{metric: x, operator: gt, threshold: 1}]\n  actions: [restart-service]\n  cooldown_secs: 5\n',
    );
    expect(found).toEqual(["4:3 cooldown_secs: unknown field 'cooldown_secs'"]);
    try {
      parsePolicies(
        '- name: A\n  conditions: [{metric: x, operator: gt, threshold: 1}]\n  actions: [restart-service]\n  cooldown_secs: 5\n',
        'p.yaml',
      );
    } catch (error) {
      expect((error as ConfigError).issues[0]?.suggestion).toBe('cooldown_seconds');
    }
  });

  it('refuses a duplicate name inside one file', () => {
    const one =
      '- name: A\n  conditions: [{metric: x, operator: gt, threshold: 1}]\n  actions: [restart-service]\n';
    expect(issues(one + one)).toEqual([
      "4:9 name: duplicate policy name 'A' (first defined at p.yaml:1)",
    ]);
  });

  it('accepts custom actions when given the registry, with their parameter bounds', () => {
    const actions = createActionRegistry({
      'flush-cache': {
        description: '',
        params: { ttl: { type: 'integer', required: true, min: 1, max: 60 } },
      },
    });
    const text =
      '- name: A\n  conditions: [{anomaly: x}]\n  actions: [{name: flush-cache, params: {ttl: 99}}]\n';
    expect(issues(text)).toEqual(["3:20 actions[0].name: unknown action 'flush-cache'"]);
    expect(issues(text, { actions })).toEqual([
      '3:47 actions[0].params.ttl: 99 is too big (at most 60)',
    ]);
  });
});
