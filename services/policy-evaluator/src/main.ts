import { Counter } from 'prom-client';
import {
  createKafka,
  createLogger,
  createRegistry,
  loadConfig,
  runService,
  serviceMain,
} from '@healstream/runtime';
import { evaluatorEnvSchema, loadEvaluatorInputs } from './config.js';
import { evaluatorService } from './evaluator.js';

await serviceMain('policy-evaluator', async () => {
  const config = loadConfig(evaluatorEnvSchema, process.env);
  const { policies, components, decision } = loadEvaluatorInputs(config);
  const logger = createLogger('policy-evaluator', config.LOG_LEVEL, config.HEALSTREAM_INSTANCE_ID);
  const registry = createRegistry('policy-evaluator');
  const decisions = new Counter({
    name: 'healstream_decisions_total',
    help: 'Decisions by verdict (DISPATCHED, SKIPPED_*, NO_MATCH, SHADOW, ESCALATE, RESOLVED) and policy.',
    labelNames: ['verdict', 'policy'],
    registers: [registry],
  });
  const kafka = createKafka({
    config,
    clientId: `policy-evaluator-${config.HEALSTREAM_INSTANCE_ID}`,
    logger,
  });
  logger.info(
    {
      policies: policies.map((p) => p.name),
      components: components ? [...components.components.keys()] : null,
    },
    'policies loaded',
  );
  const service = evaluatorService({
    config,
    decision,
    policies,
    components,
    kafka,
    logger,
    onDecision: (verdict, policy) => decisions.inc({ verdict, policy: policy ?? '' }),
  });
  const running = await runService(service, { config, logger, registry, kafka });
  return { logger, stop: running.stop };
});
