export {
  evaluatorService,
  FLEET_KEY,
  FLEET_PARTITION,
  type EvaluatorOptions,
} from './evaluator.js';
export { evaluatorEnvSchema, loadEvaluatorInputs, type EvaluatorEnv } from './config.js';
