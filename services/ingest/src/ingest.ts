import type { Message } from 'kafkajs';
import { SeriesTracker, type Derived, type MetricType } from '@healstream/agent';
import {
  PoisonRecordError,
  isRetriable,
  type ReliabilityEvent,
  type Serde,
} from '@healstream/contracts';
import { activeTraceHeaders, type Logger } from '@healstream/runtime';
import { webhookEvents } from './alert-events.js';
import { BadRequestError } from './bad-request.js';
import type { IngestEnv } from './config.js';
import type { IngestMetrics } from './metrics.js';
import type { TopicMessages, TransactionalPublisher } from './publisher.js';
import { decodeWriteRequest } from './remote-write.js';
import { seriesPoints } from './series-points.js';

export type Endpoint = 'remote_write' | 'alertmanager';

export interface Answer {
  status: number;
  body: string;
}

export interface IngestDeps {
  config: Pick<
    IngestEnv,
    | 'INGEST_COMPONENT_LABELS'
    | 'INGEST_ALERT_COMPONENT_LABELS'
    | 'INGEST_QUANTILES'
    | 'INGEST_MAX_BODY_BYTES'
    | 'INGEST_MAX_SERIES'
  >;
  topics: { metrics: string; events: string };
  serde: Serde;
  publisher: Pick<TransactionalPublisher, 'publish'>;
  metrics: IngestMetrics;
  logger: Logger;
  now: () => number;
}

/**
 * What the ingest endpoints do with a body. Requests run one at a time: each request's
 * records are derived, encoded and published in one transaction before the next is read, and
 * the rate/quantile state moves on only once its records are published. A body that can never
 * be accepted answers 400 with the reason and publishes nothing; a broker that did not take
 * the records answers 503, which Prometheus and Alertmanager retry.
 */
export function ingestHandlers(deps: IngestDeps) {
  const { config, topics, serde, publisher, metrics, logger } = deps;
  const types = new Map<string, MetricType>();
  const tracker = new SeriesTracker({
    quantiles: config.INGEST_QUANTILES,
    ratios: [],
    staleAfterMs: 300_000,
    maxSeries: config.INGEST_MAX_SERIES,
    typeOf: (family) => types.get(family),
  });
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const encode = (topic: string, key: string, value: unknown, timestamp: number): Message => {
    // The request's trace (its `traceparent`, or the one its span started) goes on with each record.
    const headers = activeTraceHeaders();
    return {
      key,
      value: serde.encode(topic, value),
      timestamp: String(timestamp),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    };
  };

  async function answer(endpoint: Endpoint, work: () => Promise<string>): Promise<Answer> {
    const timer = metrics.requestSeconds.startTimer({ endpoint });
    try {
      const body = await serial(work);
      metrics.requests.inc({ endpoint, code: '2xx' });
      return { status: 200, body };
    } catch (error) {
      // Never accepted as sent (bad body, a record that fails its schema): 400. Kafka down: 503.
      const status = error instanceof PoisonRecordError ? 400 : isRetriable(error) ? 503 : 500;
      metrics.requests.inc({ endpoint, code: String(status) });
      const reason = (error as Error).message;
      if (status === 500) logger.error({ err: error, endpoint }, 'ingest failed');
      else logger.warn({ endpoint, status, reason }, 'request not accepted');
      return { status, body: `${reason}\n` };
    } finally {
      timer();
    }
  }

  return {
    remoteWrite: (body: Uint8Array) =>
      answer('remote_write', async () => {
        const request = decodeWriteRequest(body, config.INGEST_MAX_BODY_BYTES);
        for (const [family, type] of request.metadata) types.set(family, type);
        const { points, withoutComponent } = seriesPoints(request, config.INGEST_COMPONENT_LABELS);
        if (withoutComponent > 0)
          metrics.seriesDropped.inc({ reason: 'no_component' }, withoutComponent);
        const batch = tracker.begin();
        const derived: Derived[] = batch.add(points);
        if (batch.dropped > 0) metrics.seriesDropped.inc({ reason: 'series_limit' }, batch.dropped);
        const messages = derived.map((d) => encode(topics.metrics, d.component, d, d.timestamp));
        await publisher.publish([{ topic: topics.metrics, messages }]);
        batch.commit();
        metrics.recordsOut.inc({ topic: topics.metrics }, messages.length);
        return `${messages.length} samples published from ${request.timeseries.length} series\n`;
      }),
    alerts: (body: Uint8Array) =>
      answer('alertmanager', async () => {
        let json: unknown;
        try {
          json = JSON.parse(Buffer.from(body).toString('utf8'));
        } catch (error) {
          throw new BadRequestError(`body is not JSON: ${(error as Error).message}`);
        }
        const events: ReliabilityEvent[] = webhookEvents(
          json,
          config.INGEST_ALERT_COMPONENT_LABELS,
          deps.now(),
        );
        const batch: TopicMessages = {
          topic: topics.events,
          messages: events.map((e) => encode(topics.events, e.component, e, e.detectedAt)),
        };
        await publisher.publish([batch]);
        metrics.recordsOut.inc({ topic: topics.events }, events.length);
        return `${events.length} events published\n`;
      }),
  };
}

export type IngestHandlers = ReturnType<typeof ingestHandlers>;
