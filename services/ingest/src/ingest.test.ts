import protobuf from 'protobufjs/minimal.js';
import snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { Serde, TransientError, type RegistryClient } from '@healstream/contracts';
import { createLogger, createRegistry, enableTraceContext, inSpanFrom } from '@healstream/runtime';
import { ingestHandlers } from './ingest.js';
import { ingestMetrics } from './metrics.js';
import type { TopicMessages } from './publisher.js';
import { decodeWriteRequest } from './remote-write.js';

type Series = { labels: Record<string, string>; samples: [number, number][] };

/** A remote_write 1.0 body as Prometheus sends it: protobuf WriteRequest, snappy block format. */
function writeRequest(
  series: Series[],
  metadata: { family: string; type: number }[] = [],
): Uint8Array {
  const w = protobuf.Writer.create();
  for (const s of series) {
    w.uint32((1 << 3) | 2).fork();
    for (const [name, value] of Object.entries(s.labels))
      w.uint32((1 << 3) | 2)
        .fork()
        .uint32((1 << 3) | 2)
        .string(name)
        .uint32((2 << 3) | 2)
        .string(value)
        .ldelim();
    for (const [value, timestamp] of s.samples)
      w.uint32((2 << 3) | 2)
        .fork()
        .uint32((1 << 3) | 1)
        .double(value)
        .uint32((2 << 3) | 0)
        .int64(timestamp)
        .ldelim();
    w.ldelim();
  }
  for (const m of metadata)
    w.uint32((3 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 0)
      .uint32(m.type)
      .uint32((2 << 3) | 2)
      .string(m.family)
      .ldelim();
  return snappy.compress(w.finish());
}

// The registry is not what these tests are about: ids are handed out in memory.
const ids = new Map<string, number>();
const registryStandIn = {
  setCompatibility: async () => undefined,
  register: async (subject: string) => ids.get(subject) ?? ids.set(subject, ids.size + 1).size,
  schemaById: async () => ({}),
} as unknown as RegistryClient;

async function harness(publish: (batches: TopicMessages[]) => Promise<void> = async () => {}) {
  const serde = new Serde(registryStandIn);
  await serde.registerTopic('t.metrics', 'MetricSample');
  await serde.registerTopic('t.reliability-events', 'ReliabilityEvent');
  const published: TopicMessages[][] = [];
  const handlers = ingestHandlers({
    config: {
      INGEST_COMPONENT_LABELS: ['component', 'job'],
      INGEST_ALERT_COMPONENT_LABELS: ['component'],
      INGEST_QUANTILES: [0.5, 0.99],
      INGEST_MAX_BODY_BYTES: 1 << 20,
      INGEST_MAX_SERIES: 1000,
    },
    topics: { metrics: 't.metrics', events: 't.reliability-events' },
    serde,
    publisher: {
      publish: async (batches) => {
        await publish(batches);
        published.push(batches);
      },
    },
    metrics: ingestMetrics(createRegistry('ingest', false)),
    logger: createLogger('ingest', 'silent'),
    now: () => 1_700_000_000_000,
  });
  const metricsOf = (i: number) =>
    Promise.all(
      (published[i]?.[0]?.messages ?? []).map((m) =>
        serde.decode<{ metric: string; value: number; component: string }>(
          m.value as Buffer,
          'MetricSample',
        ),
      ),
    );
  return { handlers, published, metricsOf };
}

const buckets = (job: string, t: number, counts: number[]): Series[] =>
  ['0.1', '0.5', '+Inf'].map((le, i) => ({
    labels: { __name__: 'rpc_seconds_bucket', job, instance: 'a:1', le },
    samples: [[counts[i]!, t]],
  }));

describe('remote_write', () => {
  it('decodes labels, samples and metadata of a WriteRequest', () => {
    const body = writeRequest(
      [{ labels: { __name__: 'up', job: 'payments' }, samples: [[1, 1_700_000_000_123]] }],
      [{ family: 'rpc_seconds', type: 3 }],
    );
    const request = decodeWriteRequest(body, 1 << 20);
    expect(request.timeseries).toEqual([
      {
        labels: { __name__: 'up', job: 'payments' },
        samples: [{ value: 1, timestamp: 1_700_000_000_123 }],
      },
    ]);
    expect(request.metadata.get('rpc_seconds')).toBe('histogram');
  });

  it('publishes gauges, then quantiles from bucket rates, keyed by the component label', async () => {
    const { handlers, metricsOf, published } = await harness();
    const gauge: Series = {
      labels: { __name__: 'queue_depth', job: 'payments' },
      samples: [[7, 1000]],
    };
    expect(
      (await handlers.remoteWrite(writeRequest([gauge, ...buckets('payments', 1000, [0, 0, 0])])))
        .status,
    ).toBe(200);
    expect(await metricsOf(0)).toEqual([
      expect.objectContaining({ component: 'payments', metric: 'queue_depth', value: 7 }),
    ]);
    // 10 s later: +20 ≤ 0.1 s, +40 ≤ 0.5 s, +40 above: p50 is in (0.1, 0.5]: 0.1 + 0.4 × 30/40
    await handlers.remoteWrite(writeRequest(buckets('payments', 11_000, [20, 60, 100])));
    const second = Object.fromEntries((await metricsOf(1)).map((s) => [s.metric, s.value]));
    expect(second['rpc_seconds_p50']).toBeCloseTo(0.4, 12);
    expect(second['rpc_seconds_p99']).toBe(0.5);
    expect(published[1]?.[0]?.messages[0]?.key?.toString()).toBe('payments');
  });

  it('puts the trace context of the request on every record it publishes', async () => {
    enableTraceContext();
    const { handlers, published } = await harness();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const gauge: Series = {
      labels: { __name__: 'queue_depth', job: 'payments' },
      samples: [[7, 1000]],
    };
    await inSpanFrom({ traceparent }, 'ingest /api/v1/write', {}, () =>
      handlers.remoteWrite(writeRequest([gauge])),
    );
    // No tracer provider here: the span is not recorded, and the request's context goes on as it came.
    expect(published[0]?.[0]?.messages[0]?.headers).toEqual({ traceparent });
    await handlers.remoteWrite(writeRequest([gauge]));
    expect(published[1]?.[0]?.messages[0]?.headers).toBeUndefined();
  });

  it('answers 400 with the reason for a body that is not remote_write, and publishes nothing', async () => {
    const { handlers, published } = await harness();
    const cases = [
      [Buffer.from('not snappy at all'), /not snappy-compressed/],
      [snappy.compress(Buffer.from([0xff, 0xff, 0xff])), /not a protobuf prometheus\.WriteRequest/],
      [
        writeRequest([{ labels: { job: 'x' }, samples: [[1, 1000]] }]),
        /timeseries\[0\] has no __name__ label/,
      ],
      [Buffer.alloc(0), /empty body/],
    ] as const;
    for (const [body, reason] of cases) {
      const answer = await handlers.remoteWrite(body);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatch(reason);
    }
    expect(published).toEqual([]);
  });

  it('answers 503 when Kafka does not take the records, and derives the same on the retry', async () => {
    let down = true;
    const { handlers, metricsOf } = await harness(async () => {
      if (down) throw new TransientError('BROKER_UNAVAILABLE', 'broker down');
    });
    down = false;
    await handlers.remoteWrite(writeRequest(buckets('payments', 1000, [0, 0, 0])));
    down = true;
    const body = writeRequest(buckets('payments', 11_000, [20, 60, 100]));
    expect(await handlers.remoteWrite(body)).toMatchObject({
      status: 503,
      body: expect.stringMatching(/broker down/),
    });
    down = false;
    expect((await handlers.remoteWrite(body)).status).toBe(200);
    expect((await metricsOf(1)).map((s) => s.metric).sort()).toEqual([
      'rpc_seconds_p50',
      'rpc_seconds_p99',
    ]);
  });
});

describe('Alertmanager webhook', () => {
  const alert = (status: 'firing' | 'resolved', labels: Record<string, string>) => ({
    status,
    labels,
    annotations: { summary: 'error rate above 5%', value: '0.12' },
    startsAt: '2024-05-01T10:00:00Z',
    endsAt: status === 'resolved' ? '2024-05-01T10:05:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus/graph?g0.expr=x',
    fingerprint: 'c0ffee',
  });
  const body = (alerts: unknown[]) =>
    Buffer.from(JSON.stringify({ version: '4', status: 'firing', alerts }));

  it('turns a firing alert into an ANOMALY event and its resolve into RESOLVED of the same incident', async () => {
    const { handlers, published } = await harness();
    const labels = { alertname: 'HighErrorRate', component: 'payments', severity: 'critical' };
    expect((await handlers.alerts(body([alert('firing', labels)]))).status).toBe(200);
    await handlers.alerts(body([alert('resolved', labels)]));
    const serde = new Serde(registryStandIn);
    await serde.registerTopic('t.reliability-events', 'ReliabilityEvent');
    const [firing, resolved] = await Promise.all(
      published.map((p) =>
        serde.decode<Record<string, unknown>>(
          p[0]!.messages[0]!.value as Buffer,
          'ReliabilityEvent',
        ),
      ),
    );
    expect(firing).toMatchObject({
      component: 'payments',
      kind: 'ANOMALY',
      severity: 'CRITICAL',
      detectedAt: 1_700_000_000_000,
      anomalies: [{ metric: 'HighErrorRate', value: 0.12, score: 1, detector: 'alertmanager' }],
      labels: expect.objectContaining({
        'annotation.summary': 'error rate above 5%',
        'alert.fingerprint': 'c0ffee',
        severity: 'critical',
      }),
    });
    expect(resolved).toMatchObject({
      kind: 'RESOLVED',
      incidentId: firing!['incidentId'],
      anomalies: [],
    });
    expect(resolved!['eventId']).not.toBe(firing!['eventId']);
  });

  it('refuses the whole body when one alert names no component, or the body is not Alertmanager’s', async () => {
    const { handlers, published } = await harness();
    const ok = alert('firing', { alertname: 'A', component: 'payments' });
    const orphan = alert('firing', { alertname: 'B', job: 'node' });
    const answer = await handlers.alerts(body([ok, orphan]));
    expect(answer).toMatchObject({
      status: 400,
      body: expect.stringContaining(
        'alerts[1] (B, fingerprint c0ffee) has none of the labels naming a component: component',
      ),
    });
    expect((await handlers.alerts(Buffer.from('{"alerts": 3}'))).body).toMatch(
      /not an Alertmanager webhook body: version/,
    );
    expect((await handlers.alerts(Buffer.from('{'))).body).toMatch(/body is not JSON/);
    expect(published).toEqual([]);
  });
});
