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
export { parseYamlSource } from './yaml-source.js';
export { zodIssues, sortIssues } from './zod-issues.js';
export { JSON_SCHEMA_FILES } from './json-schema.js';

export {
  DEFAULT_ALIAS_TABLE,
  NO_ALIASES,
  canonicalSample,
  type MetricAliasTable,
} from './metrics/aliases.js';

export { DEFAULT_ACTIONS } from './actions/registry.js';
export { EXECUTOR_KINDS } from './components/schema.js';
export {
  loadComponents,
  parseComponents,
  type Component,
  type ComponentRegistry,
} from './components/registry.js';
export { validateActions } from './components/validate.js';

export { type Policy } from './policy/types.js';
export {
  loadPolicySet,
  parsePolicySetDocument,
  policySetDiff,
  switchPolicySet,
  type ActivePolicySet,
  type PolicySetDocument,
} from './policy/policy-set.js';
export { readPolicySetFiles } from './policy/policy-set-files.js';
export { parsePolicies } from './policy/parse.js';
export { loadPolicyDir, loadPolicyFiles } from './policy/load.js';
export { matchesGlob } from './glob.js';

export { resolveDecisionConfig, type DecisionConfig } from './decide/config.js';
export { emptyState, restoreState, type EvaluatorState } from './decide/state.js';
export { decide } from './decide/decide.js';
export { EvaluatorStore, approvalsChanged } from './decide/keyed-store.js';
export { decisionIdFor } from './decide/ids.js';
export { applyOutcome } from './decide/apply-outcome.js';
export { type ApprovalEffects } from './decide/approval-settle.js';

export { describeScope, leverEndsAt } from './control/scope.js';
export { effectivenessRows, type EffectivenessRow } from './decide/effectiveness.js';

export {
  resolveDetectorConfig,
  type DetectorConfig,
  type DetectorConfigInput,
} from './detect/config.js';
export { emptyDetectorState, type ComponentDetectorState } from './detect/state.js';
export { detect, detectInPlace, type ScorerFactory } from './detect/detect.js';
export { refreshEvent, isClearedEvent } from './detect/events.js';
export { releaseScrape, scrapeComplete, SCRAPE_FLUSH_MS } from './detect/scrape-flush.js';
export { metricForecast } from './detect/forecast.js';
export { isTick, FLEET_SILENT_DEDUP_KEY, TICK_COMPONENT, TICK_METRIC } from './detect/silence.js';
export {
  componentState,
  detectRecord,
  forgetCheckBound,
  type DetectorEntry,
} from './detect/partition.js';

export { diagnose, type DiagnoseOptions } from './diagnose/diagnose.js';
export { isProvisionalDiagnosis, withheld } from './diagnose/provisional.js';

export { parseSimulationInput } from './simulate/input.js';
export { runSimulation, type SimulationResult, type TimelineEntry } from './simulate/run.js';
