import { setTimeout as sleep } from 'node:timers/promises';
import { onTestFinished } from 'vitest';
import type { HealingCommand, HealingOutcome } from '@healstream/contracts';
import { parseComponents, type ComponentRegistry } from '@healstream/core';
import { freePort, memberSpecs, startControlServer, Supervisor } from '@healstream/fleet';
import { createLogger, runService, type BaseEnv, type Registry } from '@healstream/runtime';
import { DEFAULT_SETTINGS, type ExecutorSettings } from './config.js';
import { actionExecutorService, type ExecutorHooks } from './executor-service.js';
import { createExecutors } from './executors/select.js';
import { executorMetrics } from './metrics.js';
import { testKafka, testSerde } from '@healstream/test-support/kafka';
import { freshRegistry, privatePipeline } from '@healstream/test-support/pipeline';
import { watchTopic } from '@healstream/test-support/records';

export const SECRET = 'integration-test-webhook-secret';

export const fastSettings: ExecutorSettings = {
  ...DEFAULT_SETTINGS,
  actionTimeoutMs: 20_000,
  maxAttempts: 2,
  backoffInitialMs: 100,
  backoffMaxMs: 500,
  verifyWindowMs: 10_000,
  verifyIntervalMs: 300,
  verifyHealthyChecks: 2,
};

/** The bearer token of the test fleets' control API; the test executors carry it. */
export const FLEET_TOKEN = 'test-fleet-token';

/** A real fleet of one component, run by a supervisor with its control API on a free port. */
export async function startFleet(id: string) {
  const port = await freePort();
  const yaml = `components:\n  ${id}:\n    executor: process\n    target: ${id}\n    allowed_actions: [restart-service]\n    health_check: { url: "http://127.0.0.1:${port}/healthz" }\n`;
  const supervisor = new Supervisor({
    specs: memberSpecs(parseComponents(yaml, 'fleet.yaml')),
    stopGraceMs: 2000,
  });
  onTestFinished(() => supervisor.stopAll(2000));
  await supervisor.startAll();
  const control = await startControlServer(supervisor, { port: 0, token: FLEET_TOKEN });
  onTestFinished(() => control.close());
  const pid = () => supervisor.component(id).instances[0]?.pid;
  return { supervisor, url: control.url, port, pid };
}

/** What the executor may act on: components given as components.yaml text. */
export const components = (yaml: string): ComponentRegistry =>
  parseComponents(`components:\n${yaml}`, 'test-components.yaml');

export async function startExecutor(options: {
  config: Readonly<BaseEnv>;
  components: ComponentRegistry;
  supervisorUrl?: string;
  hooks?: ExecutorHooks;
  settings?: ExecutorSettings;
}) {
  const registry: Registry = freshRegistry('action-executor');
  const logger = createLogger('action-executor', options.config.LOG_LEVEL);
  const kafka = testKafka('action-executor-test');
  const executor = actionExecutorService({
    config: options.config,
    settings: options.settings ?? fastSettings,
    components: options.components,
    executors: createExecutors({
      supervisorUrl: options.supervisorUrl ?? 'http://127.0.0.1:9',
      supervisorToken: FLEET_TOKEN,
      webhookSecrets: new Map([
        ['runbook', SECRET],
        ['slow', SECRET],
        ['quick', SECRET],
      ]),
    }),
    kafka,
    logger,
    metrics: executorMetrics(registry),
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
  const running = await runService(executor.definition, {
    config: options.config,
    logger,
    registry,
    kafka,
  });
  onTestFinished(() => running.stop());
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    return values
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  };
  return { executor, running, registry, metric };
}

export async function sendCommands(
  topic: string,
  commands: { command: HealingCommand; partition?: number }[],
): Promise<void> {
  const serde = testSerde();
  await serde.registerTopic(topic, 'HealingCommand');
  const producer = testKafka().producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: commands.map(({ command, partition }) => ({
      key: command.component,
      value: serde.encode(topic, command),
      ...(partition === undefined ? {} : { partition }),
    })),
  });
  await producer.disconnect();
}

export async function watchOutcomes(topic: string) {
  const watch = await watchTopic<HealingOutcome>(topic, 'HealingOutcome');
  onTestFinished(() => watch.stop());
  return {
    items: watch.items,
    of: (commandId: string) => watch.items.filter((o) => o.commandId === commandId),
    waitFor: (commandId: string, timeoutMs = 60_000) =>
      watch
        .waitFor(
          `the outcome of ${commandId}`,
          (items) => items.some((o) => o.commandId === commandId),
          timeoutMs,
        )
        .then((items) => items.find((o) => o.commandId === commandId) as HealingOutcome),
  };
}

export { command } from './fixtures.test-support.js';

/**
 * privatePipeline, tried again when the broker, still busy deleting the previous test's
 * topics, answers the new ones' metadata with UNKNOWN_TOPIC_OR_PARTITION.
 */
export async function pipeline(): ReturnType<typeof privatePipeline> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await privatePipeline();
    } catch (error) {
      if (attempt >= 4 || (error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION')
        throw error;
      await sleep(1000 * attempt);
    }
  }
}
