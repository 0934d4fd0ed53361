import {
  context,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type TextMapGetter,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type {
  Emit,
  InboundRecord,
  Outbound,
  PartitionContext,
  PartitionHandler,
} from './transactional-loop.js';

/** W3C trace context (`traceparent`, `tracestate`) in Kafka headers, whatever provider runs. */
const propagator = new W3CTraceContextPropagator();
/** The header without which a record carries no trace context. */
const TRACEPARENT = 'traceparent';

/** Kafka record headers, or an HTTP request's. */
type KafkaHeaders =
  Record<string, string | Buffer | (string | Buffer)[] | undefined> | InboundRecord['headers'];

const headerGetter: TextMapGetter<KafkaHeaders> = {
  keys: (headers) => Object.keys(headers ?? {}),
  get: (headers, key) => {
    const value = headers?.[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** The trace context a record carries; the root context when it carries none. */
export function extractTraceContext(headers: KafkaHeaders): Context {
  return propagator.extract(ROOT_CONTEXT, headers, headerGetter);
}

/** The record with the trace context's headers added (raw records, e.g. changelogs, as they are). */
export function withTraceHeaders(out: Outbound, at: Context = context.active()): Outbound {
  if (!('value' in out) || trace.getSpanContext(at) === undefined) return out;
  const headers: Record<string, string> = { ...out.headers };
  propagator.inject(at, headers, {
    set: (carrier, key, value) => void (carrier[key] = value),
  });
  return { ...out, headers };
}

let contextManager: AsyncLocalStorageContextManager | undefined;

/**
 * Makes the active span follow async work (an action started while a command was handled ends
 * in that command's trace). Idempotent; the API's default manager keeps no context at all.
 */
export function enableTraceContext(): void {
  if (contextManager) return;
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
}

/**
 * The tracer provider of a service process: spans exported over OTLP/HTTP to `endpoint`
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`), or none when it is unset, the default. Without a provider
 * spans are not recorded, but the trace context still passes from input to output records.
 */
export function startTracing(options: { service: string; endpoint: string | undefined }): {
  shutdown: () => Promise<void>;
} {
  enableTraceContext();
  if (options.endpoint === undefined) return { shutdown: async () => {} };
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': `healstream-${options.service}` }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })],
  });
  trace.setGlobalTracerProvider(provider);
  return { shutdown: () => provider.shutdown() };
}

function tracer() {
  return trace.getTracer('healstream');
}

/**
 * Whether a span started now could be recorded: false only while no tracer provider is set (the
 * API's proxy has no delegate: every span is a no-op one), the default without an endpoint.
 */
function spansRecorded(): boolean {
  const provider = trace.getTracerProvider();
  return (
    !(provider instanceof ProxyTracerProvider) ||
    provider.getDelegateTracer('healstream') !== undefined
  );
}

/**
 * A handler whose every record is handled in a span of the service, the child of the span the
 * record's headers name; every record it emits, now or later from work it started, carries the
 * context on. A record emitted at the end of the transaction (`beforeCommit`: the detector holds
 * its events until then) continues the trace of the transaction's last record with its key.
 * A record that carries no trace context, while no span is recorded and none is active, is
 * handed straight on: its span would be a no-op one with nothing to pass on, and making it costs
 * as much per record as the raw consumer's whole work.
 */
export function tracedHandler<R extends InboundRecord>(
  service: string,
  handler: PartitionHandler<R>,
): PartitionHandler<R> {
  const lastByKey = new Map<string, Context>();
  const traced: PartitionHandler<R> = {
    handle: (record, emit) => {
      if (
        record.headers?.[TRACEPARENT] === undefined &&
        trace.getSpanContext(context.active()) === undefined &&
        !spansRecorded()
      ) {
        // What an earlier record with this key left is no longer the key's last context.
        if (record.key !== null && lastByKey.size > 0) lastByKey.delete(record.key);
        return handler.handle(record, emit);
      }
      const parent = extractTraceContext(record.headers);
      const span = tracer().startSpan(
        `${service} ${record.logical}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': record.topic,
            'messaging.kafka.partition': record.partition,
            'messaging.kafka.offset': record.offset,
            'healstream.service': service,
          },
        },
        parent,
      );
      const active = trace.setSpan(parent, span);
      if (record.key !== null) lastByKey.set(record.key, active);
      const tracedEmit: Emit = (out) => emit(withTraceHeaders(out, active));
      const fail = (error: unknown) => {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        span.end();
        throw error;
      };
      try {
        const result = context.with(active, () => handler.handle(record, tracedEmit));
        if (result instanceof Promise) return result.then(() => span.end(), fail);
        span.end();
        return result;
      } catch (error) {
        return fail(error);
      }
    },
  };
  // Delegates, not a spread: a handler may be a class whose methods live on its prototype.
  if (handler.beforeCommit)
    traced.beforeCommit = (emit) =>
      handler.beforeCommit?.((out) =>
        emit(withTraceHeaders(out, lastByKey.get(out.key) ?? ROOT_CONTEXT)),
      );
  traced.committed = () => {
    lastByKey.clear();
    handler.committed?.();
  };
  traced.aborted = () => {
    lastByKey.clear();
    handler.aborted?.();
  };
  if (handler.close) traced.close = () => handler.close?.();
  return traced;
}

/** The partition context with `produce` carrying the active trace context. */
export function tracedPartitionContext(partition: PartitionContext): PartitionContext {
  return {
    partition: partition.partition,
    owned: () => partition.owned(),
    produce: (records) => partition.produce(records.map((r) => withTraceHeaders(r))),
  };
}

/**
 * Captures the active trace context now, for work that starts later (after the commit): the
 * function it returns runs its argument in that context.
 */
export function keepTraceContext(): <T>(work: () => T) => T {
  const captured = context.active();
  return (work) => context.with(captured, work);
}

/** Runs `work` in a span of its own, a child of the active one; ended when `work` settles. */
export async function inSpan<T>(
  name: string,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(name, { attributes });
  try {
    return await context.with(trace.setSpan(context.active(), span), work);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Runs `work` (e.g. an ingest request) in a span that is the child of the trace context the
 * headers carry (HTTP `traceparent`), or the root of a new trace.
 */
export async function inSpanFrom<T>(
  headers: KafkaHeaders,
  name: string,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  return context.with(extractTraceContext(headers), () => inSpan(name, attributes, work));
}

/** The active trace context as record headers, for a producer outside the loop; {} when none. */
export function activeTraceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  if (trace.getSpanContext(context.active()) === undefined) return headers;
  propagator.inject(context.active(), headers, {
    set: (carrier, key, value) => void (carrier[key] = value),
  });
  return headers;
}
