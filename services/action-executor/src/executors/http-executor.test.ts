import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verifySignature } from '@healstream/contracts';
import { command, testComponents } from '../fixtures.test-support.js';
import { httpExecutor } from './http-executor.js';

const SECRET = 'a-test-secret-of-some-length';

/** A runbook endpoint that accepts only requests signed with SECRET. */
async function runbook() {
  const received: { body: Record<string, unknown>; idempotencyKey: string | undefined }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const ok = verifySignature(
        SECRET,
        {
          signature: req.headers[SIGNATURE_HEADER] as string,
          timestamp: req.headers[TIMESTAMP_HEADER] as string,
        },
        text,
        { now: Date.now() },
      );
      if (!ok) {
        res.writeHead(401).end('bad signature');
        return;
      }
      received.push({
        body: JSON.parse(text) as Record<string, unknown>,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      });
      res.writeHead(200).end('runbook started');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks`,
    received,
  };
}

describe('http executor', () => {
  it('posts the action signed with HMAC-SHA256 over timestamp and body, with an idempotency key', async () => {
    const hook = await runbook();
    const components = testComponents({ webhookUrl: hook.url });
    const component = components.components.get('runbook');
    if (!component) throw new Error('fixture');
    const c = command({ component: 'runbook' });
    const detail = await httpExecutor(new Map([['runbook', SECRET]])).run({
      command: c,
      component,
      action: {
        name: 'restart-service',
        params: { grace_seconds: 2 },
        delegated: false,
        custom: false,
      },
      signal: AbortSignal.timeout(5000),
      idempotencyKey: `${c.commandId}:restart-service`,
    });
    expect(detail).toBe('webhook answered 200: runbook started');
    expect(hook.received).toEqual([
      {
        body: {
          commandId: c.commandId,
          incidentId: c.incidentId,
          component: 'runbook',
          policy: c.policy.name,
          attempt: 1,
          action: 'restart-service',
          params: { grace_seconds: 2 },
          reason: 'test',
        },
        idempotencyKey: `${c.commandId}:restart-service`,
      },
    ]);
  });

  it('is refused with a wrong secret, and a refusal is not retriable', async () => {
    const hook = await runbook();
    const component = testComponents({ webhookUrl: hook.url }).components.get('runbook');
    if (!component) throw new Error('fixture');
    const run = httpExecutor(new Map([['runbook', 'some-other-secret-value']])).run({
      command: command({ component: 'runbook' }),
      component,
      action: { name: 'restart-service', params: {}, delegated: false, custom: false },
      signal: AbortSignal.timeout(5000),
      idempotencyKey: 'k',
    });
    await expect(run).rejects.toMatchObject({
      retriable: false,
      message: 'webhook answered 401: bad signature',
    });
    expect(hook.received).toEqual([]);
  });

  it('rejects stale timestamps and tampered bodies', () => {
    const body = '{"a":1}';
    const now = Date.now();
    const headers = { signature: sign(SECRET, String(now), body), timestamp: String(now) };
    expect(verifySignature(SECRET, headers, body, { now })).toBe(true);
    expect(verifySignature(SECRET, headers, '{"a":2}', { now })).toBe(false);
    expect(verifySignature(SECRET, headers, body, { now: now + 600_000 })).toBe(false);
    expect(verifySignature(SECRET, { ...headers, timestamp: String(now + 1) }, body, { now })).toBe(
      false,
    );
  });
});
