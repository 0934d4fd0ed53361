export { evaluatorService, FLEET_KEY, type EvaluatorOptions } from './evaluator.js';
export { evaluatorEnvSchema, loadEvaluatorInputs, type EvaluatorEnv } from './config.js';
