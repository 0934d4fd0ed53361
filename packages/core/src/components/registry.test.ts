import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue } from '@healstream/contracts';
import { parseComponents } from './registry.js';
import { validateActions } from './validate.js';

const rootFile = readFileSync(new URL('../../../../components.yaml', import.meta.url), 'utf8');

function issues(text: string): string[] {
  try {
    parseComponents(text, 'components.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatIssue);
    throw error;
  }
  return [];
}

describe('components.yaml', () => {
  it('describes the demo fleet: payments, checkout, search on the process executor', () => {
    const registry = parseComponents(rootFile, 'components.yaml');
    expect([...registry.components.keys()]).toEqual(['payments', 'checkout', 'search']);
    expect([...registry.components.values()].every((c) => c.executor === 'process')).toBe(true);
    expect(registry.components.get('payments')).toMatchObject({
      healthCheck: { url: 'http://127.0.0.1:7101/healthz', expectedStatus: 200, timeoutMs: 2000 },
      oncall: { team: 'payments', route: 'payments-oncall' },
      bounds: { maxReplicas: 4, minReplicas: 1 },
    });
    expect(registry.actions.get('flush-cache')?.custom).toBe(true);
  });

  it('locates unknown executors, unknown fields and unknown actions', () => {
    const text = [
      'components:',
      '  a:',
      '    executor: k8s',
      '    target: x',
      '    allowed_actions: [restart-service]',
      '    helth_check: {}',
    ].join('\n');
    expect(issues(text)).toEqual([
      "components.yaml:3:15: components.a.executor: unknown value 'k8s' (expected one of process, kubernetes, docker, http)",
      "components.yaml:6:5: components.a.helth_check: unknown field 'helth_check' (did you mean 'health_check'?)",
    ]);
    expect(
      issues(
        'components:\n  a:\n    executor: http\n    target: x\n    allowed_actions: [restart-servic]\n',
      ),
    ).toEqual([
      "components.yaml:5:23: components.a.allowed_actions[0]: unknown action 'restart-servic' (did you mean 'restart-service'?)",
    ]);
  });
});

describe('validateActions', () => {
  const registry = parseComponents(rootFile, 'components.yaml');
  const run = (component: string, name: string, params: Record<string, string> = {}) =>
    validateActions(registry, component, [{ name, params }]);

  it('accepts an allowed action within bounds', () => {
    expect(run('payments', 'scale-up', { replicas: '2' })).toBeNull();
    expect(run('search', 'flush-cache', { scope: 'sessions' })).toBeNull();
  });

  it('gives each failure its own code', () => {
    expect(run('billing', 'restart-service')?.code).toBe('UNKNOWN_COMPONENT');
    expect(run('payments', 'reboot')?.code).toBe('UNKNOWN_ACTION');
    expect(run('search', 'rollback-deployment')?.code).toBe('ACTION_NOT_PERMITTED');
    expect(run('payments', 'scale-up', { replicas: '0' })?.code).toBe('PARAMS_OUT_OF_BOUNDS');
    expect(run('search', 'flush-cache', { scope: 'everything' })?.code).toBe(
      'PARAMS_OUT_OF_BOUNDS',
    );
  });

  it("bounds scale-up by the component's max_replicas", () => {
    expect(run('search', 'scale-up', { replicas: '4' })).toMatchObject({
      code: 'PARAMS_OUT_OF_BOUNDS',
      message: "scale-up replicas 4 exceeds max_replicas 3 of 'search'",
    });
  });
});
