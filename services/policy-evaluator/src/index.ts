export { evaluatorService } from './evaluator.js';
export { evaluatorEnvSchema, loadEvaluatorInputs } from './config.js';
