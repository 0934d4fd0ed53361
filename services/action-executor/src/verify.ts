import { setTimeout as defaultSleep } from 'node:timers/promises';
import type { Verification } from '@healstream/contracts';
import type { Component } from '@healstream/core';

export interface VerifyOptions {
  windowMs: number;
  intervalMs: number;
  healthyChecks: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface VerifyResult {
  verification: Verification;
  detail: string;
}

async function probe(
  check: NonNullable<Component['healthCheck']>,
): Promise<{ ok: boolean; what: string }> {
  try {
    const res = await fetch(check.url, { signal: AbortSignal.timeout(check.timeoutMs) });
    await res.body?.cancel();
    return { ok: res.status === check.expectedStatus, what: `answered ${res.status}` };
  } catch (error) {
    const e = error as Error;
    return {
      ok: false,
      what:
        e.name === 'TimeoutError'
          ? `no answer within ${check.timeoutMs} ms`
          : `unreachable (${e.message})`,
    };
  }
}

/**
 * Polls the component's health check until `healthyChecks` consecutive checks pass (RECOVERED)
 * or the window closes (NOT_RECOVERED). Without a health check the answer is UNKNOWN.
 */
export async function verifyHealth(
  component: Component,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const check = component.healthCheck;
  if (!check)
    return { verification: 'UNKNOWN', detail: `no health_check configured for ${component.id}` };
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const until = now() + options.windowMs;
  let streak = 0;
  let checks = 0;
  let last = '';
  for (;;) {
    const result = await probe(check);
    checks++;
    last = result.what;
    streak = result.ok ? streak + 1 : 0;
    if (streak >= options.healthyChecks) {
      return {
        verification: 'RECOVERED',
        detail: `${check.url} healthy ${streak} times in a row (${checks} checks)`,
      };
    }
    if (now() + options.intervalMs > until) break;
    await sleep(options.intervalMs);
  }
  return {
    verification: 'NOT_RECOVERED',
    detail: `${check.url} not healthy ${options.healthyChecks} times in a row within ${options.windowMs} ms (${checks} checks, last ${last})`,
  };
}
