import { topicsFor, type Escalation, type ReliabilityEvent } from '@healstream/contracts';
import {
  componentState,
  detectRecord,
  forgetCheckBound,
  refreshEvent,
  isTick,
  releaseScrape,
  scrapeComplete,
  SCRAPE_FLUSH_MS,
  type ComponentDetectorState,
  type DetectorConfig,
  type DetectorEntry,
} from '@healstream/core';
import {
  changelogRestorerFor,
  defineService,
  type Emit,
  type Logger,
  type BaseEnv,
} from '@healstream/runtime';
import type { Kafka } from 'kafkajs';
import { startTicks } from './ticks.js';

/** Fleet-wide pages from every partition meet on one escalator partition, to page once. */
const FLEET_PARTITION = 0;
/** A component's held events when it has none: shared, never changed. */
const NONE: readonly ReliabilityEvent[] = Object.freeze([]);

export interface DetectorOptions {
  config: Readonly<BaseEnv>;
  detector: DetectorConfig;
  kafka: Kafka;
  logger: Logger;
}

/**
 * metrics → reliability-events. Each component's detector state (baselines, snapshot, open
 * incident) lives in its partition and in the compacted detector.state changelog, so a restart
 * or a rebalance does not re-warm every baseline from zero.
 */
export function detectorService(options: DetectorOptions) {
  const { config, logger } = options;
  const topics = topicsFor(config.HEALSTREAM_TOPIC_PREFIX);
  const restorer = changelogRestorerFor('detector', topics.detectorState.topic, {
    kafka: options.kafka,
    config,
    logger,
  });
  return defineService({
    name: 'detector',
    // Each transaction writes every touched component's state once: bigger transactions
    // amortise that changelog write over more samples. Larger fetches (4 MiB a partition) with
    // 20,000-record transactions and all 12 partitions at once were measured and not kept: +13 %
    // of the raw consumer, inside the runs' spread, paid for in the collector, and up to twelve
    // 4 MiB batches held at once against the memory budget (docs/performance.md, "Fewer, larger
    // transactions in the detector"). KAFKA_FETCH_MAX_BYTES_PER_PARTITION and
    // HEALSTREAM_MAX_RECORDS_PER_TRANSACTION set them per deployment.
    maxRecordsPerTransaction: 5000,
    inputs: [topics.metrics],
    // metrics: the ticks of quiet partitions; escalation-requests: a fleet silence's page.
    outputs: [topics.reliabilityEvents, topics.metrics, topics.escalationRequests],
    async open(partition, write, context) {
      const state = await restorer.restore<DetectorEntry>(partition, write);
      forgetCheckBound(state);
      const silence = options.detector.silence;
      const component = (id: string) => componentState(state, id);
      // Wall-clock time of the latest record handled: only the ticks' timer reads it.
      let lastHandled = Date.now();
      const stopTicks = silence.enabled
        ? startTicks({
            context,
            metricsTopic: topics.metrics.topic,
            everyMs: silence.checkEveryMs,
            lastHandled: () => lastHandled,
            logger,
          })
        : () => {};
      // An event waits until its scrape is complete — every metric the component reports has
      // come in at its timestamp, or the component's next scrape has begun, or SCRAPE_FLUSH_MS
      // of the partition's event time has passed — so the diagnosis sees the whole scrape. The
      // waiting events live in the component's state (`held`): a scrape split across two
      // transactions, or a restart between them, loses none. Silence events do not wait.
      const ready: ReliabilityEvent[] = [];
      const holding = new Set(state.keys().filter((k) => (component(k)?.held?.length ?? 0) > 0));
      let eventTime = 0;
      // `s` is the transaction's own copy (detectRecord's, or `edit`ed): changed in place.
      const put = (s: ComponentDetectorState, held: ReliabilityEvent[]) => {
        s.held = held.length > 0 ? held : undefined;
        state.set(s.component, s);
        if (held.length > 0) holding.add(s.component);
        else holding.delete(s.component);
      };
      const emitRequests = (requests: readonly Escalation[], emit: Emit) => {
        for (const request of requests) {
          emit({
            topic: topics.escalationRequests.topic,
            key: request.component,
            value: request,
            partition: FLEET_PARTITION,
          });
          logger.warn({ partition, status: request.status }, request.summary);
        }
      };
      return {
        handle(record, emit) {
          const sample = record.value;
          const tick = isTick(sample);
          eventTime = Math.max(eventTime, sample.timestamp);
          const prior = tick ? undefined : component(sample.component);
          let held = prior?.held ?? NONE;
          if (prior && held.length > 0) {
            // Brought up to date with the state before this sample: the scrape it completes.
            const { release, keep } = releaseScrape(held, sample);
            for (const e of release) ready.push(refreshEvent(e, prior, options.detector));
            held = keep;
          }
          // Arrival time (the record's timestamp, kept by the broker) is the silence clock.
          const step = detectRecord(state, sample, record.timestamp, partition, options.detector);
          lastHandled = Date.now();
          const after = step.component;
          // Most samples carry no event and find none held: nothing to sort out.
          if (step.events.length === 0 && held.length === 0 && after?.held === undefined) {
            emitRequests(step.requests, emit);
            return;
          }
          const own = (e: ReliabilityEvent) =>
            !tick && e.component === sample.component && e.kind !== 'SILENT';
          if (step.events.length > 0) ready.push(...step.events.filter((e) => !own(e)));
          if (after) {
            held = [...held, ...step.events.filter(own)];
            const done = held.filter((e) => scrapeComplete(e, after, options.detector));
            for (const e of done) ready.push(refreshEvent(e, after, options.detector));
            put(
              after,
              held.filter((e) => !done.includes(e)),
            );
          }
          emitRequests(step.requests, emit);
        },
        beforeCommit(emit) {
          // A component that fell silent mid-scrape: its events go once the window has passed.
          for (const id of [...holding]) {
            const s = component(id);
            const held = s?.held ?? [];
            if (!s || held.length === 0) {
              holding.delete(id);
              continue;
            }
            const expired = held.filter((e) => eventTime - e.detectedAt >= SCRAPE_FLUSH_MS);
            if (expired.length === 0) continue;
            for (const e of expired) ready.push(refreshEvent(e, s, options.detector));
            put(
              state.edit(id) as ComponentDetectorState,
              held.filter((e) => !expired.includes(e)),
            );
          }
          for (const event of ready.splice(0)) {
            emit({ topic: topics.reliabilityEvents.topic, key: event.component, value: event });
            logger.info(
              {
                incidentId: event.incidentId,
                component: event.component,
                kind: event.kind,
                anomalies: event.anomalies.map((a) => a.metric),
              },
              event.kind === 'ANOMALY'
                ? 'anomaly detected'
                : event.kind === 'SILENT'
                  ? 'component silent'
                  : 'incident resolved',
            );
          }
          state.beforeCommit(emit);
        },
        committed: () => state.committed(),
        aborted: () => {
          ready.length = 0;
          state.aborted();
          // The held events are as the last committed state has them.
          holding.clear();
          for (const k of state.keys()) if ((component(k)?.held?.length ?? 0) > 0) holding.add(k);
        },
        close: stopTicks,
      };
    },
  });
}
