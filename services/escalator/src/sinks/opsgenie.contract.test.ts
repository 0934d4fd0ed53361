/**
 * Contract test of the Opsgenie sink against a stand-in: Opsgenie cannot be reached from this
 * machine, so a local server checks each request as the Alert API v2 documents it (create:
 * POST /v2/alerts with message ≤ 130 characters, alias, priority P1–P5; close:
 * POST /v2/alerts/{alias}/close?identifierType=alias; `Authorization: GenieKey <key>`) and answers
 * as Opsgenie does: 202 "Request will be processed", 401 for a bad key, 422 for an invalid body.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { examples, TransientError, type Escalation } from '@healstream/contracts';
import { loadRouting } from '../routing.js';
import { buildSinks } from '../service.js';
import { SinkAuthError } from './http.js';
import { opsgenieSink } from './opsgenie.js';
import {
  startStandIn,
  type StandInAnswer,
  type StandInRequest,
} from './stand-in-server.test-support.js';

const KEY = 'eb243592-faa2-4ba2-a551q-1afdf565c889';
const page: Escalation = {
  ...examples.Escalation,
  status: 'TRIGGERED',
  links: ['https://trail.example/incidents/inc-payments-1'],
};
const accepted: StandInAnswer = {
  status: 202,
  body: {
    result: 'Request will be processed',
    took: 0.107,
    requestId: '43a29c5c-3dbf-4fa4-9c26-f4f71023e120',
  },
};

function alertApi(req: StandInRequest): StandInAnswer {
  if (req.headers.authorization !== `GenieKey ${KEY}`)
    return { status: 401, body: { message: 'Could not authenticate', took: 0, requestId: 'r' } };
  if (req.headers['content-type'] !== 'application/json')
    return { status: 415, body: { message: 'Unsupported Media Type' } };
  const url = new URL(req.url, 'http://opsgenie');
  const body = req.json as Record<string, unknown> | undefined;
  if (req.method === 'POST' && url.pathname === '/v2/alerts') {
    const message = body?.['message'];
    if (typeof message !== 'string' || message === '' || message.length > 130)
      return {
        status: 422,
        body: {
          message: 'Request body is not processable. Please check the errors.',
          errors: { message: 'Message can not be empty.' },
        },
      };
    if (typeof body?.['alias'] === 'string' && body['alias'].length > 512)
      return {
        status: 422,
        body: {
          message: 'Request body is not processable.',
          errors: { alias: 'Alias can not be longer than 512 characters.' },
        },
      };
    if (
      body?.['priority'] !== undefined &&
      !['P1', 'P2', 'P3', 'P4', 'P5'].includes(String(body['priority']))
    )
      return { status: 422, body: { message: 'Priority should be one of [P1, P2, P3, P4, P5]' } };
    return accepted;
  }
  const close = /^\/v2\/alerts\/([^/]+)\/close$/.exec(url.pathname);
  if (req.method === 'POST' && close) {
    if (url.searchParams.get('identifierType') !== 'alias')
      return { status: 422, body: { message: 'expected identifierType=alias in this test' } };
    return accepted;
  }
  return { status: 404, body: { message: 'Not found' } };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});
async function standIn(answer: (req: StandInRequest) => StandInAnswer = alertApi) {
  const server = await startStandIn(answer);
  close = server.close;
  return server;
}

describe('opsgenie sink (contract, stand-in Alert API v2)', () => {
  it('creates an alert with alias = dedup key, priority from the severity, and the page context', async () => {
    const api = await standIn();
    await opsgenieSink({
      name: 'og',
      type: 'opsgenie',
      url: api.url,
      timeoutMs: 2000,
      secret: KEY,
    }).send(page, { team: 'payments' });
    expect(api.received.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['POST', '/v2/alerts', `GenieKey ${KEY}`],
    ]);
    expect(api.received[0]?.json).toEqual({
      message: 'payments: healing exhausted after 3 attempts',
      alias: 'healstream/payments/inc-payments-1',
      description:
        'diagnosis: connection-pool-exhaustion (0.8)\n\nActions tried:\nCritical Latency Spike: restart-service → NOT_RECOVERED\n\nhttps://trail.example/incidents/inc-payments-1',
      tags: ['healstream', 'LADDER_EXHAUSTED', 'payments'],
      details: {
        component: 'payments',
        source: 'LADDER_EXHAUSTED',
        escalation_id: 'esc-1',
        incident: 'inc-payments-1',
        team: 'payments',
      },
      entity: 'payments',
      source: 'healstream',
      priority: 'P1',
    });
  });

  it('closes the alert by alias on resolve (the alias URL-encoded in the path)', async () => {
    const api = await standIn();
    await opsgenieSink({
      name: 'og',
      type: 'opsgenie',
      url: api.url,
      timeoutMs: 2000,
      secret: KEY,
    }).send({ ...page, status: 'RESOLVED' }, { team: undefined });
    expect(api.received.map((r) => [r.method, r.url])).toEqual([
      ['POST', '/v2/alerts/healstream%2Fpayments%2Finc-payments-1/close?identifierType=alias'],
    ]);
    expect(api.received[0]?.json).toEqual({
      source: 'healstream',
      note: 'Resolved: payments: healing exhausted after 3 attempts',
    });
  });

  it('truncates the message to 130 characters and maps WARNING to P3', async () => {
    const api = await standIn();
    await opsgenieSink({
      name: 'og',
      type: 'opsgenie',
      url: api.url,
      timeoutMs: 2000,
      secret: KEY,
    }).send({ ...page, severity: 'WARNING', summary: 'x'.repeat(300) }, { team: undefined });
    expect(api.received[0]?.json).toMatchObject({ message: 'x'.repeat(130), priority: 'P3' });
  });

  it('a bad key (401) is an auth failure, retried (the page waits for the fixed key); 429 and 5xx are transient', async () => {
    const api = await standIn();
    const error = await opsgenieSink({
      name: 'og',
      type: 'opsgenie',
      url: api.url,
      timeoutMs: 2000,
      secret: 'wrong',
    })
      .send(page, { team: undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkAuthError);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as SinkAuthError).status).toBe(401);
    expect((error as Error).message).not.toContain('wrong');
    await close?.();
    for (const status of [429, 503]) {
      const down = await standIn(() => ({ status, body: { message: 'later' } }));
      await expect(
        opsgenieSink({
          name: 'og',
          type: 'opsgenie',
          url: down.url,
          timeoutMs: 2000,
          secret: KEY,
        }).send({ ...page, status: 'RESOLVED' }, { team: undefined }),
      ).rejects.toBeInstanceOf(TransientError);
      await close?.();
    }
  });

  it('is configured in escalation.yaml with the API key from secret_env; the base URL defaults to api.opsgenie.com', async () => {
    const api = await standIn();
    const routing = loadRouting({
      file: {
        text: `sinks:\n  og: { type: opsgenie, url: "${api.url}", secret_env: OG_KEY }\n`,
        name: 'escalation.yaml',
      },
      timeoutMs: 2000,
      env: { OG_KEY: KEY },
    });
    await buildSinks(routing, 60_000).get('og')?.send(page, { team: undefined });
    expect(api.received).toHaveLength(1);
    expect(
      loadRouting({
        file: { text: 'sinks:\n  og: { type: opsgenie, secret_env: OG_KEY }\n', name: 'e.yaml' },
        timeoutMs: 2000,
        env: { OG_KEY: KEY },
      }).sinks[0]?.url,
    ).toBe('https://api.opsgenie.com');
  });
});
