/**
 * Contract test of the Slack sink against a stand-in: Slack cannot be reached from this machine,
 * so a local server checks each request as incoming webhooks document it (POST of JSON with
 * `text` and Block Kit `blocks`: section text ≤ 3000 characters, at most 10 fields) and answers
 * as Slack does: 200 `ok` as text, 400 `invalid_payload`, 404 `no_service`, 500 on its own errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { examples, TransientError, type Escalation } from '@healstream/contracts';
import { loadRouting } from '../routing.js';
import { buildSinks } from '../service.js';
import { SinkRejectedError } from './http.js';
import { slackSink } from './slack.js';
import {
  startStandIn,
  type StandInAnswer,
  type StandInRequest,
} from './stand-in-server.test-support.js';

const HOOK_PATH = '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';
const page: Escalation = {
  ...examples.Escalation,
  status: 'TRIGGERED',
  links: ['https://trail.example/incidents/inc-payments-1'],
};
const text = (status: number, body: string): StandInAnswer => ({
  status,
  body,
  contentType: 'text/plain',
});

function incomingWebhook(req: StandInRequest): StandInAnswer {
  if (req.method !== 'POST' || req.url !== HOOK_PATH) return text(404, 'no_service');
  if (req.headers['content-type'] !== 'application/json') return text(400, 'invalid_payload');
  const m = req.json as
    | {
        text?: unknown;
        blocks?: {
          type: string;
          text?: { type: string; text: string };
          fields?: { text: string }[];
          elements?: unknown[];
        }[];
      }
    | undefined;
  if (!m || (typeof m.text !== 'string' && !Array.isArray(m.blocks))) return text(400, 'no_text');
  for (const b of m.blocks ?? []) {
    if (!['section', 'context', 'header', 'divider'].includes(b.type))
      return text(400, 'invalid_blocks');
    if (b.type === 'section' && !b.text && !b.fields) return text(400, 'invalid_blocks');
    if (b.text && (b.text.text.length > 3000 || !['mrkdwn', 'plain_text'].includes(b.text.type)))
      return text(400, 'invalid_blocks');
    if (b.fields && (b.fields.length > 10 || b.fields.some((f) => f.text.length > 2000)))
      return text(400, 'invalid_blocks');
  }
  return text(200, 'ok');
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});
async function standIn(answer: (req: StandInRequest) => StandInAnswer = incomingWebhook) {
  const server = await startStandIn(answer);
  close = server.close;
  return server;
}

describe('slack sink (contract, stand-in incoming webhook)', () => {
  it('posts the page as text and blocks', async () => {
    const hook = await standIn();
    await slackSink({
      name: 'slack',
      type: 'slack',
      url: `${hook.url}${HOOK_PATH}`,
      timeoutMs: 2000,
    }).send(page, { team: 'payments' });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]?.json).toEqual({
      text: ':rotating_light: [CRITICAL] payments: payments: healing exhausted after 3 attempts',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: ':rotating_light: [CRITICAL] payments: payments: healing exhausted after 3 attempts',
          },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Component*\npayments' },
            { type: 'mrkdwn', text: '*Severity*\nCRITICAL' },
            { type: 'mrkdwn', text: '*Source*\nLADDER_EXHAUSTED' },
            { type: 'mrkdwn', text: '*Incident*\ninc-payments-1' },
            { type: 'mrkdwn', text: '*Team*\npayments' },
          ],
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'diagnosis: connection-pool-exhaustion (0.8)' },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*Actions tried*\n• Critical Latency Spike: restart-service → NOT_RECOVERED',
          },
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'https://trail.example/incidents/inc-payments-1' }],
        },
      ],
    });
  });

  it('posts a resolved message on resolve', async () => {
    const hook = await standIn();
    await slackSink({
      name: 'slack',
      type: 'slack',
      url: `${hook.url}${HOOK_PATH}`,
      timeoutMs: 2000,
    }).send({ ...page, status: 'RESOLVED' }, { team: undefined });
    expect(hook.received[0]?.json).toEqual({
      text: ':white_check_mark: Resolved: payments: payments: healing exhausted after 3 attempts',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: ':white_check_mark: Resolved: payments: payments: healing exhausted after 3 attempts',
          },
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: 'dedup key `healstream/payments/inc-payments-1` · incident `inc-payments-1`',
            },
          ],
        },
      ],
    });
  });

  it('keeps long details within the section limit', async () => {
    const hook = await standIn();
    await slackSink({
      name: 'slack',
      type: 'slack',
      url: `${hook.url}${HOOK_PATH}`,
      timeoutMs: 2000,
    }).send({ ...page, details: 'd'.repeat(5000) }, { team: undefined });
    expect(hook.received).toHaveLength(1); // the stand-in answers 400 invalid_blocks beyond 3000 characters
  });

  it('404 no_service is a rejection; 500 is transient', async () => {
    const hook = await standIn();
    const error = await slackSink({
      name: 'slack',
      type: 'slack',
      url: `${hook.url}/services/T0/B0/revoked`,
      timeoutMs: 2000,
    })
      .send(page, { team: undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkRejectedError);
    expect((error as Error).message).toBe('slack rejected the page: HTTP 404 no_service');
    await close?.();
    const down = await standIn(() => text(500, 'rollup_error'));
    const transient = await slackSink({
      name: 'slack',
      type: 'slack',
      url: `${down.url}${HOOK_PATH}`,
      timeoutMs: 2000,
    })
      .send(page, { team: undefined })
      .catch((e: unknown) => e);
    expect(transient).toBeInstanceOf(TransientError);
    // The webhook URL is the secret: no message shows its path.
    expect((transient as Error).message).not.toContain(HOOK_PATH);
    expect((transient as Error).message).toContain(`${down.url}/…`);
  });

  it('is configured in escalation.yaml with the webhook URL from the variable url_env names', async () => {
    const hook = await standIn();
    const file = {
      text: 'sinks:\n  slack: { type: slack, url_env: SLACK_WEBHOOK_URL }\n',
      name: 'escalation.yaml',
    };
    const routing = loadRouting({
      file,
      timeoutMs: 2000,
      env: { SLACK_WEBHOOK_URL: `${hook.url}${HOOK_PATH}` },
    });
    await buildSinks(routing, 60_000)
      .get('slack')
      ?.send({ ...page, status: 'RESOLVED' }, { team: undefined });
    expect(hook.received.map((r) => r.url)).toEqual([HOOK_PATH]);
    expect(() => loadRouting({ file, timeoutMs: 2000, env: {} })).toThrow(
      'escalation.yaml: sinks.slack.url_env: variable SLACK_WEBHOOK_URL is not set',
    );
    expect(() =>
      loadRouting({
        file: { text: 'sinks:\n  s: { type: slack }\n', name: 'e.yaml' },
        timeoutMs: 2000,
        env: {},
      }),
    ).toThrow('e.yaml: sinks.s: url or url_env is required');
  });
});
