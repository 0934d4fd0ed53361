import type { Kafka } from 'kafkajs';
import { dlqName, dlqSourceTopics, topicName } from '@healstream/contracts';
import {
  ChangelogRestorer,
  groupIdFor,
  type Logger,
  type Registry,
  type ServiceDefinition,
} from '@healstream/runtime';
import type { EscalatorEnv } from './config.js';
import { settingsFrom } from './config.js';
import { DeliveryMemo } from './deliver.js';
import { partitionHandler, type EscalatorTopics } from './handler.js';
import { escalatorMetrics } from './metrics.js';
import type { Routing } from './routing.js';
import { alertmanagerSink } from './sinks/alertmanager.js';
import { opsgenieSink } from './sinks/opsgenie.js';
import { pagerDutySink } from './sinks/pagerduty.js';
import { slackSink } from './sinks/slack.js';
import type { Sink, SinkSpec } from './sinks/types.js';
import { webhookSink } from './sinks/webhook.js';
import type { Entry } from './state.js';

export const SERVICE = 'escalator';

export function escalatorTopics(prefix: string): EscalatorTopics {
  return {
    outcomes: topicName(prefix, 'healing-outcomes'),
    commands: topicName(prefix, 'healing-commands'),
    requests: topicName(prefix, 'escalation-requests'),
    escalations: topicName(prefix, 'escalations'),
    deadLetters: new Set(dlqSourceTopics.map((t) => dlqName(topicName(prefix, t)))),
  };
}

/**
 * The escalator's inputs: every pipeline DLQ (raw), outcomes, commands and escalation requests.
 * What the escalator itself cannot process goes to `<input>.dlq`; for a DLQ input that would be
 * `<x>.dlq.dlq`, which must never be an input (a page about a page about a page...).
 */
export function escalatorInputs(topics: EscalatorTopics): ServiceDefinition['inputs'] {
  const inputs: ServiceDefinition['inputs'] = [
    ...[...topics.deadLetters].map((topic) => ({ topic, record: 'raw' as const })),
    { topic: topics.outcomes, record: 'HealingOutcome' },
    { topic: topics.commands, record: 'HealingCommand' },
    { topic: topics.requests, record: 'Escalation' },
  ];
  const names = new Set(inputs.map((i) => i.topic));
  for (const topic of topics.deadLetters) {
    if (names.has(dlqName(topic)))
      throw new Error(`the escalator would consume its own dead letters: ${dlqName(topic)}`);
  }
  return inputs;
}

export function buildSinks(routing: Routing, pageTtlMs: number): Map<string, Sink> {
  const build = (spec: SinkSpec): Sink => {
    switch (spec.type) {
      case 'webhook':
        return webhookSink(spec);
      case 'alertmanager':
        return alertmanagerSink(spec, pageTtlMs);
      case 'pagerduty':
        return pagerDutySink(spec);
      case 'opsgenie':
        return opsgenieSink(spec);
      case 'slack':
        return slackSink(spec);
    }
  };
  return new Map(routing.sinks.map((spec) => [spec.name, build(spec)]));
}

export interface EscalatorServiceOptions {
  config: Readonly<EscalatorEnv>;
  routing: Routing;
  teams?: ReadonlyMap<string, string>;
  /** Defaults to the routing's sinks; tests may pass their own. */
  sinks?: ReadonlyMap<string, Sink>;
  kafka: Kafka;
  logger: Logger;
  registry: Registry;
}

export function escalatorService(options: EscalatorServiceOptions): ServiceDefinition {
  const { config, routing, kafka, logger, registry } = options;
  const settings = settingsFrom(config);
  const topics = escalatorTopics(config.HEALSTREAM_TOPIC_PREFIX);
  const sinks = options.sinks ?? buildSinks(routing, settings.pageTtlMs);
  const metrics = escalatorMetrics(registry);
  const memo = new DeliveryMemo();
  const changelogTopic = topicName(config.HEALSTREAM_TOPIC_PREFIX, 'escalator.state');
  const restorer = new ChangelogRestorer({
    kafka,
    changelogTopic,
    groupId: groupIdFor(config, SERVICE),
    logger,
  });
  if (sinks.size === 0)
    logger.warn('no sinks configured: pages are only written to the escalations topic');
  logger.info(
    { sinks: [...sinks.keys()], routes: routing.routes.length, default: routing.default },
    'escalation routing',
  );
  return {
    name: SERVICE,
    inputs: escalatorInputs(topics),
    outputs: [{ topic: topics.escalations, record: 'Escalation' }],
    maxRecordsPerTransaction: config.ESCALATOR_MAX_RECORDS_PER_TRANSACTION,
    async open(partition, write) {
      const state = await restorer.restore<Entry>(partition, write);
      return partitionHandler(state, {
        settings,
        topics,
        routing,
        sinks,
        teams: options.teams ?? new Map(),
        memo,
        metrics,
        logger,
      });
    },
  };
}
