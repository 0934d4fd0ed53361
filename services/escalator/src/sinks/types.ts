import type { Escalation } from '@healstream/contracts';

export const SINK_KINDS = ['webhook', 'alertmanager', 'pagerduty', 'opsgenie', 'slack'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

/** Where pages go. `send` throws TransientError when the sink is down, SinkRejectedError on a 4xx. */
export interface Sink {
  readonly name: string;
  readonly kind: SinkKind;
  send(page: Escalation, context: { team: string | undefined }): Promise<void>;
}

export interface SinkSpec {
  name: string;
  type: SinkKind;
  url: string;
  timeoutMs: number;
  /** Webhook: HMAC-SHA256 key of the signature header; pagerduty: routing key; opsgenie: API key. */
  secret?: string | undefined;
  /** Webhook only: extra request headers. */
  headers?: Record<string, string>;
}
