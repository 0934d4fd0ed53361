import type { Kafka } from 'kafkajs';
import { dlqName, topicsFor, type Topics } from '@healstream/contracts';
import {
  changelogRestorerFor,
  defineService,
  type Logger,
  type Registry,
} from '@healstream/runtime';
import type { EscalatorEnv, Runbooks } from './config.js';
import { settingsFrom } from './config.js';
import { partitionHandler } from './handler.js';
import { escalatorMetrics } from './metrics.js';
import { OutboxWorker } from './outbox.js';
import type { Routing } from './routing.js';
import { alertmanagerSink } from './sinks/alertmanager.js';
import { opsgenieSink } from './sinks/opsgenie.js';
import { pagerDutySink } from './sinks/pagerduty.js';
import { slackSink } from './sinks/slack.js';
import type { Sink, SinkSpec } from './sinks/types.js';
import { webhookSink } from './sinks/webhook.js';
import type { Entry } from './state.js';
import { DeliveredHere } from './delivered-here.js';

export const SERVICE = 'escalator';

/**
 * The escalator's inputs: every pipeline DLQ (raw), outcomes, commands and escalation requests.
 * What the escalator itself cannot process goes to `<input>.dlq`; for a DLQ input that would be
 * `<x>.dlq.dlq`, which must never be an input (a page about a page about a page...).
 */
export function escalatorInputs(topics: Topics) {
  const inputs = [
    ...topics.deadLetters,
    topics.healingOutcomes,
    topics.healingCommands,
    topics.escalationRequests,
  ];
  const names = new Set(inputs.map((i) => i.topic));
  for (const { topic } of topics.deadLetters) {
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
  runbooks?: Runbooks;
  /** Defaults to the routing's sinks; tests may pass their own. */
  sinks?: ReadonlyMap<string, Sink>;
  kafka: Kafka;
  logger: Logger;
  registry: Registry;
}

export function escalatorService(options: EscalatorServiceOptions) {
  const { config, routing, kafka, logger, registry } = options;
  const settings = { ...settingsFrom(config), runbooks: options.runbooks };
  const topics = topicsFor(config.HEALSTREAM_TOPIC_PREFIX);
  const sinks = options.sinks ?? buildSinks(routing, settings.pageTtlMs);
  const metrics = escalatorMetrics(registry);
  const restorer = changelogRestorerFor(SERVICE, topics.escalatorState.topic, {
    kafka,
    config,
    logger,
  });
  if (sinks.size === 0)
    logger.warn('no sinks configured: pages are only written to the escalations topic');
  logger.info(
    { sinks: [...sinks.keys()], routes: routing.routes.length, default: routing.default },
    'escalation routing',
  );
  const deliveredHere = new DeliveredHere();
  return defineService({
    name: SERVICE,
    inputs: escalatorInputs(topics),
    // escalation-requests: dead letters of every partition meet on one (handler.ts).
    outputs: [topics.escalations, topics.escalationRequests],
    maxRecordsPerTransaction: config.ESCALATOR_MAX_RECORDS_PER_TRANSACTION,
    async open(partition, write, context) {
      const state = await restorer.restore<Entry>(partition, write);
      // Pages left in the outbox by an earlier owner (or a crash) are delivered first.
      const outbox = new OutboxWorker(context, state, {
        topics,
        sinks,
        metrics,
        logger,
        deliveredHere,
      });
      return partitionHandler(state, {
        settings,
        topics,
        routing,
        teams: options.teams ?? new Map(),
        outbox,
        metrics,
        logger,
      });
    },
  });
}
