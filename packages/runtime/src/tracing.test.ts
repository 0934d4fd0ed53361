import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import {
  enableTraceContext,
  inSpan,
  keepTraceContext,
  tracedHandler,
  tracedPartitionContext,
} from './tracing.js';
import type { Outbound, PartitionContext } from './transactional-loop.js';
import { PARENT, TRACE, record, traceparent } from './tracing.test-support.js';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);
enableTraceContext();
afterAll(() => trace.disable());
beforeEach(() => exporter.reset());

describe('trace context through a handler', () => {
  it('handles a record in a child span of its traceparent and passes the context on', async () => {
    const emitted: Outbound[] = [];
    const handler = tracedHandler('detector', {
      handle: (_r, emit) => {
        emit({ topic: 't.events', key: 'payments', value: {}, headers: { other: 'kept' } });
        emit({ topic: 't.changelog', key: 'payments', raw: null });
      },
    });
    await handler.handle(record({ traceparent: Buffer.from(`00-${TRACE}-${PARENT}-01`) }), (o) =>
      emitted.push(o),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('detector metrics');
    expect(span?.spanContext().traceId).toBe(TRACE);
    expect(span?.parentSpanContext?.spanId).toBe(PARENT);
    expect(traceparent(emitted[0])).toBe(`00-${TRACE}-${span?.spanContext().spanId}-01`);
    expect(emitted[0]?.headers?.['other']).toBe('kept');
    // Changelogs and other raw records carry no trace headers.
    expect(emitted[1]?.headers).toBeUndefined();
  });

  it('starts a trace for a record that carries none', async () => {
    const emitted: Outbound[] = [];
    await tracedHandler('detector', {
      handle: (_r, emit) => emit({ topic: 't.events', key: 'k', value: {} }),
    }).handle(record(), (o) => emitted.push(o));
    const [span] = exporter.getFinishedSpans();
    expect(span?.parentSpanContext).toBeUndefined();
    expect(traceparent(emitted[0])).toContain(span?.spanContext().traceId);
  });

  it('keeps the trace for work the handler started that produces later', async () => {
    const produced: Outbound[] = [];
    const partition: PartitionContext = tracedPartitionContext({
      partition: 0,
      owned: () => true,
      produce: async (records) => void produced.push(...records),
    });
    let later: Promise<void> = Promise.resolve();
    await tracedHandler('action-executor', {
      handle: () => {
        later = Promise.resolve().then(() =>
          partition.produce([{ topic: 't.outcomes', key: 'k', value: {} }]),
        );
      },
    }).handle(record({ traceparent: `00-${TRACE}-${PARENT}-01` }), () => {});
    await later;
    const [span] = exporter.getFinishedSpans();
    expect(traceparent(produced[0])).toBe(`00-${TRACE}-${span?.spanContext().spanId}-01`);
  });

  it('marks the span failed and rethrows when the handler throws', async () => {
    const handler = tracedHandler('diagnoser', {
      handle: async () => {
        throw new Error('boom');
      },
    });
    await expect(handler.handle(record(), () => {})).rejects.toThrow('boom');
    expect(exporter.getFinishedSpans()[0]?.status.code).toBe(2);
  });

  it('delegates the other hooks to the handler, whose methods may be on its prototype', () => {
    class Counting {
      commits = 0;
      handle() {}
      committed() {
        this.commits++;
      }
    }
    const inner = new Counting();
    const handler = tracedHandler('x', inner);
    handler.committed?.();
    expect(inner.commits).toBe(1);
    expect(handler.beforeCommit).toBeUndefined();
  });

  it('gives a record emitted at commit the trace of the last record with its key', async () => {
    const emitted: Outbound[] = [];
    const handler = tracedHandler('detector', {
      handle: () => {},
      beforeCommit: (emit) => {
        emit({ topic: 't.events', key: 'payments', value: {} });
        emit({ topic: 't.events', key: 'ledger', value: {} });
      },
    });
    const other = '1111111111111111';
    await handler.handle(record({ traceparent: `00-${TRACE}-${other}-01` }), () => {});
    await handler.handle(record({ traceparent: `00-${TRACE}-${PARENT}-01` }), () => {});
    handler.beforeCommit?.((o) => emitted.push(o));
    const last = exporter.getFinishedSpans()[1];
    expect(last?.parentSpanContext?.spanId).toBe(PARENT);
    expect(traceparent(emitted[0])).toBe(`00-${TRACE}-${last?.spanContext().spanId}-01`);
    // No record of that key in the transaction: nothing to continue.
    expect(emitted[1]?.headers).toBeUndefined();
    // After the commit the transaction's contexts are forgotten.
    handler.committed?.();
    emitted.length = 0;
    handler.beforeCommit?.((o) => emitted.push(o));
    expect(emitted[0]?.headers).toBeUndefined();
  });

  it('runs work started after the commit in the trace of the record, each action in a child span', async () => {
    let later: (<T>(work: () => T) => T) | undefined;
    await tracedHandler('action-executor', {
      handle: () => void (later = keepTraceContext()),
    }).handle(record({ traceparent: `00-${TRACE}-${PARENT}-01` }), () => {});
    await later?.(() =>
      inSpan('action restart-service', { 'healstream.component': 'p' }, async () => {}),
    );
    const [handled, action] = exporter.getFinishedSpans();
    expect(action?.name).toBe('action restart-service');
    expect(action?.spanContext().traceId).toBe(TRACE);
    expect(action?.parentSpanContext?.spanId).toBe(handled?.spanContext().spanId);
  });
});
