import type { InboundRecord, Outbound } from './transactional-loop.js';

/** The trace and parent span ids of the traceparent the tracing tests send. */
export const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
export const PARENT = '00f067aa0ba902b7';

/** A metrics record as the loop hands it to a handler, with `headers`. */
export function record(headers: InboundRecord['headers'] = {}): InboundRecord {
  return {
    logical: 'metrics',
    topic: 't.metrics',
    partition: 0,
    offset: '7',
    key: 'payments',
    value: {},
    timestamp: 0,
    headers,
  };
}

export const traceparent = (out: Outbound | undefined) => out?.headers?.['traceparent'];
