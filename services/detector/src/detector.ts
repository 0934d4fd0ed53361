import { topicsFor, type ReliabilityEvent } from '@healstream/contracts';
import {
  detect,
  refreshEvent,
  type ComponentDetectorState,
  type DetectorConfig,
} from '@healstream/core';
import {
  ChangelogRestorer,
  defineService,
  type Logger,
  type BaseEnv,
  groupIdFor,
} from '@healstream/runtime';
import type { Kafka } from 'kafkajs';

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
    outputs: [topics.reliabilityEvents],
    async open(partition, write) {
      const state = await restorer.restore<ComponentDetectorState>(partition, write);
      // Events wait for the end of the transaction: the other samples of the scrape that opened
      // an incident usually arrive in the same batch, and the diagnosis should see them all.
      const pending: ReliabilityEvent[] = [];
      return {
        handle(record) {
          const sample = record.value;
          const result = detect(state.get(sample.component), sample, options.detector);
          state.set(sample.component, result.state);
          pending.push(...result.events);
        },
        beforeCommit(emit) {
          for (const held of pending.splice(0)) {
            const latest = state.get(held.component);
            const event = latest ? refreshEvent(held, latest, options.detector) : held;
            emit({ topic: topics.reliabilityEvents.topic, key: event.component, value: event });
            logger.info(
              {
                incidentId: event.incidentId,
                component: event.component,
                kind: event.kind,
                anomalies: event.anomalies.map((a) => a.metric),
              },
              event.kind === 'ANOMALY' ? 'anomaly detected' : 'incident resolved',
            );
          }
          state.beforeCommit(emit);
        },
        committed: () => state.committed(),
        aborted: () => {
          pending.length = 0;
          state.aborted();
        },
      };
    },
  });
}
