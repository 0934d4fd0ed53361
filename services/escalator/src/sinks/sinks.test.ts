import { afterEach, describe, expect, it } from 'vitest';
import {
  examples,
  sign,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  TransientError,
  type Escalation,
} from '@healstream/contracts';
import { startTestWebhook, type TestWebhook } from '@healstream/test-support/webhook';
import { alertFor, alertLabels } from './alertmanager.js';
import { SinkRejectedError } from './http.js';
import { webhookSink } from './webhook.js';

const page: Escalation = { ...examples.Escalation, status: 'TRIGGERED' };
let hook: TestWebhook | undefined;
afterEach(async () => {
  await hook?.close();
  hook = undefined;
});

describe('webhook sink', () => {
  it('posts the escalation as JSON with a verifiable HMAC signature', async () => {
    hook = await startTestWebhook();
    const sink = webhookSink(
      { name: 'ops', type: 'webhook', url: hook.url, timeoutMs: 2000, secret: 's3cret' },
      () => 1234,
    );
    await sink.send(page, { team: 'payments' });
    const [request] = hook.received;
    expect(request?.json).toMatchObject({
      escalationId: 'esc-1',
      channel: 'ops',
      team: 'payments',
      dedupKey: page.dedupKey,
    });
    expect(request?.headers[TIMESTAMP_HEADER]).toBe('1234');
    expect(request?.headers[SIGNATURE_HEADER]).toBe(sign('s3cret', '1234', request?.body ?? ''));
    expect(request?.headers[SIGNATURE_HEADER]).not.toBe(sign('other', '1234', request?.body ?? ''));
  });

  it('sends no signature without a secret', async () => {
    hook = await startTestWebhook();
    await webhookSink({ name: 'ops', type: 'webhook', url: hook.url, timeoutMs: 2000 }).send(page, {
      team: undefined,
    });
    expect(hook.received[0]?.headers[SIGNATURE_HEADER]).toBeUndefined();
  });

  it('treats 5xx, 429, refused connections and timeouts as transient', async () => {
    hook = await startTestWebhook();
    const sink = webhookSink({ name: 'ops', type: 'webhook', url: hook.url, timeoutMs: 2000 });
    hook.respond = () => 503;
    await expect(sink.send(page, { team: undefined })).rejects.toBeInstanceOf(TransientError);
    expect(hook.received).toHaveLength(2); // one quick retry inside the call
    hook.respond = () => 429;
    await expect(sink.send(page, { team: undefined })).rejects.toBeInstanceOf(TransientError);
    const url = hook.url;
    await hook.close();
    hook = undefined;
    await expect(
      webhookSink({ name: 'gone', type: 'webhook', url, timeoutMs: 2000 }).send(page, {
        team: undefined,
      }),
    ).rejects.toBeInstanceOf(TransientError);
  });

  it('times out a sink that does not answer', async () => {
    const { createServer } = await import('node:http');
    const server = createServer(() => {}); // never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const started = Date.now();
    const error = await webhookSink({
      name: 'slow',
      type: 'webhook',
      url: `http://127.0.0.1:${port}/`,
      timeoutMs: 200,
    })
      .send(page, { team: undefined })
      .catch((e: unknown) => e);
    server.closeAllConnections();
    server.close();
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/timed out after 200 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('treats other 4xx as a rejection, not retried', async () => {
    hook = await startTestWebhook();
    hook.respond = () => 400;
    const error = await webhookSink({
      name: 'ops',
      type: 'webhook',
      url: hook.url,
      timeoutMs: 2000,
    })
      .send(page, { team: undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkRejectedError);
    expect((error as SinkRejectedError).status).toBe(400);
    expect(hook.received).toHaveLength(1);
  });
});

describe('alertmanager alert', () => {
  it('carries the labels and annotations a person and a resolution need', () => {
    const alert = alertFor(
      { ...page, actionsTried: ['a → FAILED', 'b → SUCCEEDED'] },
      'payments',
      3_600_000,
      page.createdAt + 10,
    );
    expect(alert['labels']).toEqual({
      alertname: 'HealstreamEscalation',
      component: 'payments',
      severity: 'critical',
      source: 'LADDER_EXHAUSTED',
      dedup: page.dedupKey,
      incident: 'inc-payments-1',
      team: 'payments',
    });
    expect(alert['annotations']).toMatchObject({
      summary: page.summary,
      description: page.details,
      actions_tried: 'a → FAILED\nb → SUCCEEDED',
    });
    expect(alert['endsAt']).toBe(new Date(page.createdAt + 10 + 3_600_000).toISOString());
  });

  it('resolves with the same labels and endsAt at the recovery time', () => {
    const resolved: Escalation = {
      ...page,
      status: 'RESOLVED',
      createdAt: page.createdAt + 60_000,
    };
    const alert = alertFor(resolved, undefined, 3_600_000, page.createdAt + 90_000);
    expect(alert['labels']).toEqual(alertLabels(page, undefined));
    expect(alert['endsAt']).toBe(new Date(page.createdAt + 60_000).toISOString());
  });
});
