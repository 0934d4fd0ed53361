import { createHmac } from 'node:crypto';
import type { Escalation } from '@healstream/contracts';
import { httpPost } from './http.js';
import type { Sink, SinkSpec } from './types.js';

export const signatureHeader = 'x-healstream-signature';
export const timestampHeader = 'x-healstream-timestamp';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): the timestamp guards replays. */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A generic webhook: the Escalation as JSON, its channel set to this sink's name. */
export function webhookSink(spec: SinkSpec, now: () => number = Date.now): Sink {
  return {
    name: spec.name,
    kind: 'webhook',
    async send(page: Escalation, context) {
      const body = JSON.stringify({
        ...page,
        channel: spec.name,
        ...(context.team ? { team: context.team } : {}),
      });
      const headers: Record<string, string> = {
        'user-agent': 'healstream-escalator',
        'x-healstream-escalation-id': page.escalationId,
        'x-healstream-dedup-key': page.dedupKey,
        ...spec.headers,
      };
      if (spec.secret) {
        const timestamp = String(now());
        headers[timestampHeader] = timestamp;
        headers[signatureHeader] = signBody(spec.secret, timestamp, body);
      }
      await httpPost({ sink: spec.name, url: spec.url, body, headers, timeoutMs: spec.timeoutMs });
    },
  };
}
