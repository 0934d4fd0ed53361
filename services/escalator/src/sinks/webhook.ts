import { SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, type Escalation } from '@healstream/contracts';
import { httpPost } from './http.js';
import type { Sink, SinkSpec } from './types.js';

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
        headers[TIMESTAMP_HEADER] = timestamp;
        headers[SIGNATURE_HEADER] = sign(spec.secret, timestamp, body);
      }
      await httpPost({ sink: spec.name, url: spec.url, body, headers, timeoutMs: spec.timeoutMs });
    },
  };
}
