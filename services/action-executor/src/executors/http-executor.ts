import { SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from '@healstream/contracts';
import { ExecutorError, type ActionCall, type ActionExecutor } from './types.js';

/**
 * The `http` executor: POSTs each action as JSON to the component's `target` URL (your own
 * runbook endpoint), signed with HMAC-SHA256 (see signature.ts) and carrying an
 * Idempotency-Key. 2xx is success; 4xx is a refusal (not retried); 5xx, 429 and network
 * failures are retried. scale-up and scale-down also carry the component's `bounds`
 * (min_replicas, default 1, and max_replicas) for the endpoint to keep.
 */
export function httpExecutor(
  secrets: ReadonlyMap<string, string>,
  now: () => number = Date.now,
): ActionExecutor {
  return {
    kind: 'http',
    target: (component) => `http:${new URL(component.target).origin}`,
    async run({ command, component, action, signal, idempotencyKey }: ActionCall): Promise<string> {
      const secret = secrets.get(component.id);
      if (!secret)
        throw new ExecutorError(
          `no signing secret for http component '${component.id}'`,
          false,
          'NO_SECRET',
        );
      const body = JSON.stringify({
        commandId: command.commandId,
        incidentId: command.incidentId,
        component: component.id,
        policy: command.policy.name,
        attempt: command.attempt,
        action: action.name,
        params: action.params,
        reason: command.reason,
        // The runbook does the scaling: it is told the bounds it must keep.
        ...(action.name === 'scale-up' || action.name === 'scale-down'
          ? {
              bounds: {
                min_replicas: component.bounds.minReplicas ?? 1,
                max_replicas: component.bounds.maxReplicas,
              },
            }
          : {}),
      });
      const timestamp = String(now());
      let res: Response;
      try {
        res = await fetch(component.target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': idempotencyKey,
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: sign(secret, timestamp, body),
          },
          body,
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw error;
        throw new ExecutorError(
          `webhook ${component.target} unreachable: ${(error as Error).message}`,
          true,
        );
      }
      const text = (await res.text().catch(() => '')).slice(0, 300);
      if (res.ok) return `webhook answered ${res.status}${text ? `: ${text}` : ''}`;
      const retriable = res.status >= 500 || res.status === 429;
      throw new ExecutorError(
        `webhook answered ${res.status}${text ? `: ${text}` : ''}`,
        retriable,
        retriable ? 'EXECUTOR_UNAVAILABLE' : 'EXECUTOR_REJECTED',
      );
    },
  };
}
