import { topicsFor, type ReliabilityEvent } from '@healstream/contracts';
import {
  componentState,
  detectRecord,
  refreshEvent,
  type DetectorConfig,
  type DetectorEntry,
} from '@healstream/core';
import {
  ChangelogRestorer,
  defineService,
  type Logger,
  type BaseEnv,
  groupIdFor,
} from '@healstream/runtime';
import type { Kafka } from 'kafkajs';
import { startTicks } from './ticks.js';

/** Fleet-wide pages from every partition meet on one escalator partition, to page once. */
const FLEET_PARTITION = 0;

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
  const restorer = new ChangelogRestorer({
    kafka: options.kafka,
    changelogTopic: topics.detectorState.topic,
    groupId: groupIdFor(config, 'detector'),
    logger,
  });
  return defineService({
    name: 'detector',
    // Each transaction writes every touched component's state once: bigger transactions
    // amortise that changelog write over more samples.
    maxRecordsPerTransaction: 5000,
    inputs: [topics.metrics],
    // metrics: the ticks of quiet partitions; escalation-requests: a fleet silence's page.
    outputs: [topics.reliabilityEvents, topics.metrics, topics.escalationRequests],
    async open(partition, write, context) {
      const state = await restorer.restore<DetectorEntry>(partition, write);
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
      // Events wait for the end of the transaction: the other samples of the scrape that opened
      // an incident usually arrive in the same batch, and the diagnosis should see them all.
      const pending: ReliabilityEvent[] = [];
      return {
        handle(record, emit) {
          // Arrival time (the record's timestamp, kept by the broker) is the silence clock.
          const step = detectRecord(
            state,
            record.value,
            record.timestamp,
            partition,
            options.detector,
          );
          lastHandled = Date.now();
          pending.push(...step.events);
          for (const request of step.requests) {
            emit({
              topic: topics.escalationRequests.topic,
              key: request.component,
              value: request,
              partition: FLEET_PARTITION,
            });
            logger.warn({ partition, status: request.status }, request.summary);
          }
        },
        beforeCommit(emit) {
          for (const held of pending.splice(0)) {
            const latest = component(held.component);
            const event = latest ? refreshEvent(held, latest, options.detector) : held;
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
          pending.length = 0;
          state.aborted();
        },
        close: stopTicks,
      };
    },
  });
}
