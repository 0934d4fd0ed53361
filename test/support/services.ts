import { onTestFinished } from 'vitest';
import {
  createLogger,
  createRegistry,
  runService,
  type BaseEnv,
  type RunningService,
  type ServiceDefinition,
} from '@healstream/runtime';
import { detectorService } from '@healstream/detector';
import { diagnoserService } from '@healstream/diagnoser';
import {
  evaluatorService,
  loadEvaluatorInputs,
  evaluatorEnvSchema,
} from '@healstream/policy-evaluator';
import { resolveDetectorConfig, type DetectorConfigInput } from '@healstream/core';
import { testKafka } from './kafka.js';

const logLevel = () => process.env['TEST_LOG_LEVEL'] ?? 'silent';

/** Runs a service in this process for the test; stopped when the test finishes. */
export async function startInProcess(
  name: string,
  config: Readonly<BaseEnv>,
  build: (deps: { logger: ReturnType<typeof createLogger> }) => ServiceDefinition,
): Promise<RunningService> {
  const logger = createLogger(name, logLevel());
  const registry = createRegistry(name, false);
  const running = await runService(build({ logger }), {
    config,
    logger,
    registry,
    kafka: testKafka(name),
  });
  onTestFinished(() => running.stop());
  return running;
}

export async function startDetector(config: Readonly<BaseEnv>, detector: DetectorConfigInput = {}) {
  return startInProcess('detector', config, ({ logger }) =>
    detectorService({
      config,
      detector: resolveDetectorConfig(detector),
      kafka: testKafka('detector-restore'),
      logger,
    }),
  );
}

export async function startDiagnoser(config: Readonly<BaseEnv>) {
  return startInProcess('diagnoser', config, ({ logger }) => diagnoserService({ config, logger }));
}

export async function startEvaluator(config: Readonly<BaseEnv>, env: Record<string, string> = {}) {
  const evaluatorEnv = evaluatorEnvSchema.parse({
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
    SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL,
    ...env,
  });
  const { policies, components, decision } = loadEvaluatorInputs(evaluatorEnv);
  return startInProcess('policy-evaluator', config, ({ logger }) =>
    evaluatorService({
      config,
      decision,
      policies,
      components,
      kafka: testKafka('evaluator-restore'),
      logger,
    }),
  );
}
