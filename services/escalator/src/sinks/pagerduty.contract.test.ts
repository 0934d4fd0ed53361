/**
 * Contract test of the PagerDuty sink against a stand-in: PagerDuty cannot be reached from this
 * machine, so a local server checks each request as the Events API v2 documents it
 * (POST /v2/enqueue, JSON, a 32-character routing_key, event_action, dedup_key, and for a
 * trigger payload.summary/source/severity) and answers as PagerDuty does: 202 with
 * status "success", 400 "invalid event" with errors, 429 when throttled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { examples, TransientError, type Escalation } from '@healstream/contracts';
import { loadRouting } from '../routing.js';
import { buildSinks } from '../service.js';
import { SinkRejectedError } from './http.js';
import { pagerDutySink } from './pagerduty.js';
import {
  startStandIn,
  type StandInAnswer,
  type StandInRequest,
} from './stand-in-server.test-support.js';

const KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
const page: Escalation = {
  ...examples.Escalation,
  status: 'TRIGGERED',
  links: ['https://trail.example/incidents/inc-payments-1', 'healstream tail healing-outcomes'],
};

const invalid = (...errors: string[]): StandInAnswer => ({
  status: 400,
  body: { status: 'invalid event', message: 'Event object is invalid', errors },
});

/** PagerDuty's Events API v2, as far as healstream uses it. */
function eventsApi(req: StandInRequest): StandInAnswer {
  if (req.method !== 'POST' || req.url !== '/v2/enqueue')
    return { status: 404, body: { status: 'not found' } };
  if (req.headers['content-type'] !== 'application/json')
    return invalid('Content-Type must be application/json');
  const e = req.json as Record<string, unknown> | undefined;
  if (!e) return invalid('Event is not valid JSON');
  if (typeof e['routing_key'] !== 'string' || e['routing_key'].length !== 32)
    return invalid("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (!['trigger', 'acknowledge', 'resolve'].includes(String(e['event_action'])))
    return invalid(
      "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')",
    );
  if (typeof e['dedup_key'] !== 'string' || e['dedup_key'].length > 255)
    return invalid("'dedup_key' is invalid");
  if (e['event_action'] === 'trigger') {
    const p = e['payload'] as Record<string, unknown> | undefined;
    if (!p || typeof p['summary'] !== 'string' || p['summary'].length > 1024)
      return invalid("'payload.summary' is missing or blank");
    if (typeof p['source'] !== 'string' || !p['source'])
      return invalid("'payload.source' is missing or blank");
    if (!['critical', 'error', 'warning', 'info'].includes(String(p['severity'])))
      return invalid(
        "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
      );
  }
  return {
    status: 202,
    body: { status: 'success', message: 'Event processed', dedup_key: e['dedup_key'] },
  };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function standIn(answer: (req: StandInRequest) => StandInAnswer = eventsApi) {
  const server = await startStandIn(answer);
  close = server.close;
  return server;
}

describe('pagerduty sink (contract, stand-in Events API v2)', () => {
  it('triggers an event with the dedup key, severity and the context of the page', async () => {
    const api = await standIn();
    await pagerDutySink({
      name: 'pd',
      type: 'pagerduty',
      url: api.url,
      timeoutMs: 2000,
      secret: KEY,
    }).send(page, { team: 'payments' });
    expect(api.received).toHaveLength(1);
    expect(api.received[0]?.json).toEqual({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: 'healstream/payments/inc-payments-1',
      payload: {
        summary: 'payments: healing exhausted after 3 attempts',
        source: 'payments',
        severity: 'critical',
        timestamp: new Date(page.createdAt).toISOString(),
        component: 'payments',
        class: 'LADDER_EXHAUSTED',
        group: 'payments',
        custom_details: {
          details: 'diagnosis: connection-pool-exhaustion (0.8)',
          actions_tried: ['Critical Latency Spike: restart-service → NOT_RECOVERED'],
          incident: 'inc-payments-1',
          escalation_id: 'esc-1',
          links: page.links,
        },
      },
      links: [
        {
          href: 'https://trail.example/incidents/inc-payments-1',
          text: 'healstream decision trail',
        },
      ],
      client: 'healstream',
    });
  });

  it('maps WARNING and INFO to warning and info', async () => {
    const api = await standIn();
    const sink = pagerDutySink({
      name: 'pd',
      type: 'pagerduty',
      url: api.url,
      timeoutMs: 2000,
      secret: KEY,
    });
    await sink.send({ ...page, severity: 'WARNING' }, { team: undefined });
    await sink.send({ ...page, severity: 'INFO' }, { team: undefined });
    expect(
      api.received.map((r) => (r.json as { payload: { severity: string } }).payload.severity),
    ).toEqual(['warning', 'info']);
  });

  it('resolves with the same dedup key', async () => {
    const api = await standIn();
    await pagerDutySink({
      name: 'pd',
      type: 'pagerduty',
      url: api.url,
      timeoutMs: 2000,
      secret: KEY,
    }).send({ ...page, status: 'RESOLVED' }, { team: 'payments' });
    expect(api.received[0]?.json).toEqual({
      routing_key: KEY,
      event_action: 'resolve',
      dedup_key: 'healstream/payments/inc-payments-1',
    });
  });

  it('a 400 invalid event is a rejection; 429 and 5xx are transient', async () => {
    const api = await standIn();
    const error = await pagerDutySink({
      name: 'pd',
      type: 'pagerduty',
      url: api.url,
      timeoutMs: 2000,
      secret: 'too-short',
    })
      .send(page, { team: undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkRejectedError);
    expect((error as Error).message).toContain("Length of 'routing_key' is incorrect");
    await close?.();
    for (const status of [429, 500]) {
      const down = await standIn(() => ({
        status,
        body: { status: status === 429 ? 'throttle event' : 'error', message: 'try later' },
      }));
      await expect(
        pagerDutySink({
          name: 'pd',
          type: 'pagerduty',
          url: down.url,
          timeoutMs: 2000,
          secret: KEY,
        }).send(page, { team: undefined }),
      ).rejects.toBeInstanceOf(TransientError);
      await close?.();
    }
  });

  it('is configured in escalation.yaml with the routing key from the variable secret_env names', async () => {
    const api = await standIn();
    const routing = loadRouting({
      file: {
        text: `sinks:\n  pd:\n    type: pagerduty\n    url: ${api.url}\n    secret_env: PD_KEY\n`,
        name: 'escalation.yaml',
      },
      timeoutMs: 2000,
      env: { PD_KEY: KEY },
    });
    await buildSinks(routing, 60_000).get('pd')?.send(page, { team: undefined });
    expect(api.received.map((r) => (r.json as { routing_key: string }).routing_key)).toEqual([KEY]);
    const defaults = loadRouting({
      file: { text: 'sinks:\n  pd: { type: pagerduty, secret_env: PD_KEY }\n', name: 'e.yaml' },
      timeoutMs: 2000,
      env: { PD_KEY: KEY },
    });
    expect(defaults.sinks[0]?.url).toBe('https://events.pagerduty.com');
    expect(() =>
      loadRouting({
        file: { text: 'sinks:\n  pd: { type: pagerduty }\n', name: 'e.yaml' },
        timeoutMs: 2000,
        env: {},
      }),
    ).toThrow('e.yaml: sinks.pd: secret_env is required (the variable holding the routing key)');
  });
});
