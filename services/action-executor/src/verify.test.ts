import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseComponents } from '@healstream/core';
import { verifyHealth } from './verify.js';

/** A health endpoint answering the scripted statuses in turn (then the last one forever). */
async function healthEndpoint(statuses: number[]) {
  let i = 0;
  const server = createServer((_req, res) =>
    res.writeHead(statuses[Math.min(i++, statuses.length - 1)] as number).end(),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const registry = parseComponents(
    `components:\n  c:\n    executor: process\n    target: c\n    allowed_actions: [restart-service]\n    health_check: { url: "http://127.0.0.1:${port}/healthz", timeout_ms: 500 }\n  blind:\n    executor: process\n    target: blind\n    allowed_actions: [restart-service]\n`,
    'c.yaml',
  );
  return { component: registry.components.get('c')!, blind: registry.components.get('blind')! };
}

const options = { windowMs: 1000, intervalMs: 20, healthyChecks: 3 };

describe('verification by health check', () => {
  it('is RECOVERED after N consecutive healthy checks, a failure resetting the count', async () => {
    const { component } = await healthEndpoint([503, 200, 200, 503, 200, 200, 200]);
    const result = await verifyHealth(component, options);
    expect(result.verification).toBe('RECOVERED');
    expect(result.detail).toMatch(/healthy 3 times in a row \(7 checks\)/);
  });

  it('is NOT_RECOVERED when the window closes first, naming the last answer', async () => {
    const { component } = await healthEndpoint([200, 200, 503]);
    const result = await verifyHealth(component, options);
    expect(result.verification).toBe('NOT_RECOVERED');
    expect(result.detail).toMatch(/last answered 503/);
  });

  it('is UNKNOWN without a health check', async () => {
    const { blind } = await healthEndpoint([200]);
    expect(await verifyHealth(blind, options)).toMatchObject({ verification: 'UNKNOWN' });
  });
});
