import { describe, expect, it, vi } from 'vitest';
import { trace } from '@opentelemetry/api';
import { enableTraceContext, tracedHandler } from './tracing.js';
import type { Outbound } from './transactional-loop.js';
import { PARENT, TRACE, record, traceparent } from './tracing.test-support.js';

// No tracer provider in this file: spans are not recorded, as in a service without an endpoint.
enableTraceContext();

const traced = { traceparent: Buffer.from(`00-${TRACE}-${PARENT}-01`) };

describe('trace context without a tracer provider', () => {
  it('hands a record without trace context straight on, making no span', async () => {
    const getTracer = vi.spyOn(trace, 'getTracer');
    const emitted: Outbound[] = [];
    await tracedHandler('detector', {
      handle: (_r, emit) => emit({ topic: 't.events', key: 'payments', value: {} }),
    }).handle(record(), (o) => emitted.push(o));
    expect(getTracer).not.toHaveBeenCalled();
    expect(traceparent(emitted[0])).toBeUndefined();
    getTracer.mockRestore();
  });

  it('still passes on the trace context a record carries', async () => {
    const emitted: Outbound[] = [];
    await tracedHandler('detector', {
      handle: (_r, emit) => emit({ topic: 't.events', key: 'payments', value: {} }),
    }).handle(record(traced), (o) => emitted.push(o));
    expect(traceparent(emitted[0])).toContain(TRACE);
  });

  it('gives a held output the context of its key’s last record, none when that one had none', async () => {
    const emitted: Outbound[] = [];
    const handler = tracedHandler('detector', {
      handle: () => {},
      beforeCommit: (emit) => emit({ topic: 't.events', key: 'payments', value: {} }),
    });
    await handler.handle(record(traced), () => {});
    handler.beforeCommit?.((o) => emitted.push(o));
    expect(traceparent(emitted[0])).toContain(TRACE);
    await handler.handle(record(traced), () => {});
    await handler.handle(record(), () => {});
    handler.beforeCommit?.((o) => emitted.push(o));
    expect(traceparent(emitted[1])).toBeUndefined();
  });
});
