import type { Component } from '@healstream/core';
import { SupervisorCallError, SupervisorClient } from '@healstream/supervisor-client';
import { ExecutorError, type ActionCall, type ActionExecutor } from './types.js';

/** Built-in action → supervisor operation. Custom actions go to `hooks/<name>`. */
const OPERATIONS: Record<string, string> = {
  'restart-service': 'restart',
  'scale-up': 'scale-up',
  'scale-down': 'scale-down',
  'enable-circuit-breaker': 'circuit-breaker',
  'fallback-mode': 'fallback',
  'rollback-deployment': 'rollback',
};

function describe(action: string, answer: Record<string, unknown>): string {
  if (action === 'restart-service')
    return `restarted: pids ${JSON.stringify(answer['before'])} → ${JSON.stringify(answer['after'])}`;
  if (action === 'rollback-deployment')
    return `rolled back ${String(answer['from'])} → ${String(answer['to'])}, pids ${JSON.stringify(answer['after'])}`;
  if (action === 'scale-up') {
    const added = (answer['added'] as { port: number; pid: number }[] | undefined) ?? [];
    return `added ${added.map((a) => `pid ${a.pid} on port ${a.port}`).join(', ')}; ${String(answer['instances'])} instances running`;
  }
  if (action === 'scale-down') {
    const removed = (answer['removed'] as { port: number; pid: number }[] | undefined) ?? [];
    return removed.length === 0
      ? `nothing to remove: ${String(answer['instances'])} instances running, at min_replicas`
      : `stopped ${removed.map((r) => `pid ${r.pid} on port ${r.port}`).join(', ')}; ${String(answer['instances'])} instances running`;
  }
  const instances = (answer['instances'] as unknown[] | undefined)?.length ?? 0;
  return `applied on ${instances} instance${instances === 1 ? '' : 's'}`;
}

/**
 * The `process` executor: a client of the fleet supervisor's control API. The component's
 * `target` is its name in the fleet; `options.supervisor_url` overrides the default URL. `token`
 * is the control API's bearer token (FLEET_SUPERVISOR_TOKEN).
 */
export function processExecutor(defaultUrl: string, token = ''): ActionExecutor {
  const urlOf = (component: Component) =>
    typeof component.options['supervisor_url'] === 'string'
      ? component.options['supervisor_url']
      : defaultUrl;
  return {
    kind: 'process',
    target: (component) => `process:${urlOf(component)}`,
    async run({ component, action, signal, idempotencyKey }: ActionCall): Promise<string> {
      const operation =
        OPERATIONS[action.name] ?? (action.custom ? `hooks/${action.name}` : undefined);
      if (!operation)
        throw new ExecutorError(
          `the process executor has no operation for '${action.name}'`,
          false,
          'UNSUPPORTED_ACTION',
        );
      const body = Object.fromEntries(
        Object.entries(action.params).filter(([, v]) => v !== undefined),
      );
      try {
        const answer = await new SupervisorClient(urlOf(component), token).operate(
          component.target,
          operation,
          body,
          { signal, idempotencyKey },
        );
        return describe(action.name, answer);
      } catch (error) {
        if (error instanceof SupervisorCallError)
          throw new ExecutorError(`supervisor: ${error.message}`, error.retriable, error.code);
        throw error;
      }
    },
  };
}
