import type { HealingCommand } from '@healstream/contracts';
import { parseComponents, type ComponentRegistry } from '@healstream/core';

/** A fleet for tests: a process component and an http one, on the given ports/URLs. */
export function testComponents(
  options: { healthPort?: number; webhookUrl?: string; supervisorUrl?: string } = {},
): ComponentRegistry {
  const supervisor = options.supervisorUrl
    ? `\n    options: { supervisor_url: "${options.supervisorUrl}" }`
    : '';
  return parseComponents(
    `components:
  payments:
    executor: process
    target: payments
    allowed_actions: [restart-service, scale-up, fallback-mode, alert-oncall]
    health_check: { url: "http://127.0.0.1:${options.healthPort ?? 7101}/healthz", timeout_ms: 1000 }
    bounds: { max_replicas: 3 }${supervisor}
  runbook:
    executor: http
    target: "${options.webhookUrl ?? 'http://127.0.0.1:9/hooks'}"
    allowed_actions: [restart-service]
  k8s:
    executor: kubernetes
    target: shop/cart
    allowed_actions: [restart-service]
`,
    'test-components.yaml',
  );
}

let sequence = 0;
export function command(overrides: Partial<HealingCommand> = {}): HealingCommand {
  sequence++;
  const now = Date.now();
  return {
    commandId: `cmd-${process.pid}-${now}-${sequence}`,
    incidentId: `inc-${sequence}`,
    component: 'payments',
    policy: { name: 'restart-on-pool-exhaustion', priority: 8 },
    actions: [{ name: 'restart-service', params: { grace_seconds: '2' } }],
    attempt: 1,
    issuedAt: now,
    deadline: now + 120_000,
    mode: 'ENFORCE',
    reason: 'test',
    ...overrides,
  };
}
