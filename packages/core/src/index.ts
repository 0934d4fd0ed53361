/**
 * The healing core: detection, diagnosis and policy decisions as pure functions over records,
 * with `now` passed in. No Kafka here; services adapt records to these calls.
 *
 *   const policies = loadPolicyDir('policies');
 *   const components = loadComponents('components.yaml');
 *   const { state: det, events } = detect(detectorState, sample, resolveDetectorConfig());
 *   for (const event of events) {
 *     const diagnosis = diagnose(event, event.detectedAt);
 *     const { decision, commands, escalations, state } = decide({ diagnosis, state: evaluatorState, policies, components, now: diagnosis.diagnosedAt });
 *   }
 *   evaluatorState = applyOutcome(evaluatorState, outcome, outcome.finishedAt);
 */
export { suggest } from './suggest.js';

export {
  BUILTIN_ACTIONS,
  BUILTIN_ACTION_NAMES,
  MAX_SCALE_UP_REPLICAS,
  type ActionSpec,
} from './actions/builtin.js';
export {
  createActionRegistry,
  DEFAULT_ACTIONS,
  type ActionRegistry,
  type CustomActionDefinition,
} from './actions/registry.js';
export { EXECUTOR_KINDS, type ExecutorKind } from './components/schema.js';
export {
  loadComponents,
  parseComponents,
  type Component,
  type ComponentRegistry,
} from './components/registry.js';
export { validateActions, type ValidationFailure } from './components/validate.js';

export {
  OPERATORS,
  type ComponentSelector,
  type Condition,
  type Operator,
  type Policy,
  type PolicyAction,
  type PolicyMode,
} from './policy/types.js';
export { parsePolicies, type ParsePoliciesOptions } from './policy/parse.js';
export {
  loadPolicyDir,
  loadPolicyFiles,
  policyFilesIn,
  type LoadPoliciesOptions,
} from './policy/load.js';
export { matchesGlob } from './glob.js';
export {
  compare,
  matchPolicy,
  selectorMatches,
  type MatchInput,
  type PolicyMatch,
} from './policy/match.js';

export {
  DEFAULT_DECISION_CONFIG,
  decisionConfigSchema,
  partitionBudget,
  resolveDecisionConfig,
  type DecisionConfig,
  type DecisionConfigInput,
} from './decide/config.js';
export {
  emptyState,
  evaluatorStateSchema,
  pruneState,
  restoreState,
  STATE_VERSION,
  type Dispatch,
  type EvaluatorState,
  type IncidentLadder,
  type InFlightCommand,
} from './decide/state.js';
export { decide, type DecideInput, type DecideResult } from './decide/decide.js';
export { orderPolicies } from './decide/evaluate.js';
export { applyOutcome, outcomeResult } from './decide/apply-outcome.js';
export { commandIdFor, decisionIdFor } from './decide/ids.js';

export {
  DEFAULT_THRESHOLDS,
  detectorConfigSchema,
  resolveDetectorConfig,
  type DetectorConfig,
  type DetectorConfigInput,
  type ThresholdRule,
} from './detect/config.js';
export {
  emptyDetectorState,
  DETECTOR_STATE_VERSION,
  type ComponentDetectorState,
  type MetricState,
  type OpenIncident,
} from './detect/state.js';
export {
  DEPLOY_LABELS,
  DEPLOY_METRIC,
  detect,
  snapshotOf,
  refreshEvent,
  type DetectResult,
  type ScorerFactory,
} from './detect/detect.js';

export {
  CAUSE_CATALOGUE,
  UNKNOWN_CAUSE,
  type CauseFinding,
  type CauseRule,
} from './diagnose/catalogue.js';
export { diagnose, type DiagnoseOptions } from './diagnose/diagnose.js';

export {
  parseSimulationInput,
  type InputError,
  type OutcomeRule,
  type SimulationInput,
} from './simulate/input.js';
export {
  runSimulation,
  type IncidentSummary,
  type SimulationOptions,
  type SimulationResult,
  type TimelineEntry,
} from './simulate/run.js';
