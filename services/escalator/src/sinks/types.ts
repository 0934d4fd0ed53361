import type { Escalation } from '@healstream/contracts';

export type SinkKind = 'webhook' | 'alertmanager';

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
  /** Webhook only: HMAC-SHA256 key for the signature header. */
  secret?: string | undefined;
  /** Webhook only: extra request headers. */
  headers?: Record<string, string>;
}
