import { Counter, Gauge } from 'prom-client';
import { runService, serviceMain, serviceParts } from '@healstream/runtime';
import { evaluatorEnvSchema, loadEvaluatorInputs } from './config.js';
import { evaluatorService } from './evaluator.js';

await serviceMain('policy-evaluator', async () => {
  const { config, logger, registry, kafka } = serviceParts('policy-evaluator', evaluatorEnvSchema);
  const { policies, components, decision } = loadEvaluatorInputs(config);
  const decisions = new Counter({
    name: 'healstream_decisions_total',
    help: 'Decisions by verdict (DISPATCHED, SKIPPED_*, NO_MATCH, SHADOW, ESCALATE, RESOLVED) and policy.',
    labelNames: ['verdict', 'policy'],
    registers: [registry],
  });
  const effectiveness = {
    labelNames: ['policy', 'cause', 'component'] as const,
    registers: [registry],
  };
  const rate = new Gauge({
    name: 'healstream_policy_success_ratio',
    help: 'Healings that recovered and stayed recovered / settled attempts, per policy × cause × component (rolling window).',
    ...effectiveness,
  });
  const attempts = new Gauge({
    name: 'healstream_policy_attempts',
    help: 'Settled healing attempts in the rolling window, per policy × cause × component.',
    ...effectiveness,
  });
  const demoted = new Gauge({
    name: 'healstream_policy_demoted',
    help: '1 while a policy acts in shadow for a cause on a component because it stopped curing it.',
    ...effectiveness,
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
    onEffectiveness: (_component, rows) => {
      for (const row of rows) {
        const labels = { policy: row.policy, cause: row.cause, component: row.component };
        attempts.set(labels, row.attempts);
        if (row.rate !== null) rate.set(labels, row.rate);
        demoted.set(labels, row.demoted ? 1 : 0);
      }
    },
  });
  const running = await runService(service, { config, logger, registry, kafka });
  return { logger, stop: running.stop };
});
