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
export { parseYamlSource, type YamlSource } from './yaml-source.js';
export { zodIssues, sortIssues } from './zod-issues.js';
export {
  JSON_SCHEMA_FILES,
  componentsFileJsonSchema,
  policyFileJsonSchema,
} from './json-schema.js';

export {
  CANONICAL_METRICS,
  DEFAULT_ALIAS_TABLE,
  DEFAULT_METRIC_ALIASES,
  NO_ALIASES,
  canonicalMetric,
  canonicalSample,
  isKnownMetric,
  metricAliases,
  metricAliasSchema,
  metricAliasesSchema,
  suggestMetric,
  type MetricAlias,
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

export { type ApprovalRule, type Policy } from './policy/types.js';
export {
  loadPolicySet,
  parsePolicySetDocument,
  policySetDiff,
  switchPolicySet,
  type ActivePolicySet,
  type LoadedPolicySet,
  type PolicySetDocument,
  type PolicySetSwitch,
} from './policy/policy-set.js';
export { readPolicySetFiles } from './policy/policy-set-files.js';
export { parsePolicies } from './policy/parse.js';
export { loadPolicyDir, loadPolicyFiles } from './policy/load.js';
export { matchesGlob } from './glob.js';

export { resolveDecisionConfig, type DecisionConfig } from './decide/config.js';
export { emptyState, restoreState, type EvaluatorState } from './decide/state.js';
export { decide } from './decide/decide.js';
export { EvaluatorStore, approvalsChanged, type EvaluatorKeyValue } from './decide/keyed-store.js';
export {
  LEGACY_STATE_KEY,
  PARTITION_KEY,
  sliceKey,
  type ComponentSlice,
  type PartitionPart,
} from './decide/keyed-state.js';
export { decisionIdFor } from './decide/ids.js';
export { applyOutcome } from './decide/apply-outcome.js';
export {
  applyApproval,
  howToAnswer,
  settleApprovals,
  type ApprovalEffects,
} from './decide/approval.js';
export type { ApprovalEntry } from './decide/approval-state.js';

export { applyControl, type ControlApplied } from './control/apply.js';
export {
  controlOf,
  emptyControl,
  type ControlState,
  type ControlLever,
  type PolicyOverride,
} from './control/state.js';
export {
  describeScope,
  leverActive,
  leverEndsAt,
  leverExpired,
  scopeCovers,
} from './control/scope.js';
export {
  effectivenessRows,
  statsOf,
  type EffectivenessRow,
  type EffectivenessStats,
} from './decide/effectiveness.js';

export {
  resolveDetectorConfig,
  type DetectorConfig,
  type DetectorConfigInput,
} from './detect/config.js';
export { type ComponentDetectorState } from './detect/state.js';
export {
  detect,
  refreshEvent,
  isClearedEvent,
  EVENT_LABEL,
  type ScorerFactory,
} from './detect/detect.js';
export { releaseScrape, scrapeComplete, SCRAPE_FLUSH_MS } from './detect/scrape-flush.js';
export { FORECAST_DETECTOR, metricForecast, SURPLUS_DETECTOR } from './detect/forecast.js';
export { type ForecastConfig, type SurplusConfig } from './detect/forecast-config.js';
export {
  advanceClock,
  checkSilence,
  emptyPartitionClock,
  expectedInterval,
  isTick,
  noteArrival,
  silenceThreshold,
  FLEET_COMPONENT,
  FLEET_SILENT_DEDUP_KEY,
  TICK_COMPONENT,
  TICK_METRIC,
  type PartitionClock,
  type SilenceCheck,
} from './detect/silence.js';
export { type SilenceConfig } from './detect/silence-config.js';
export {
  componentState,
  detectRecord,
  partitionClock,
  CLOCK_KEY,
  type DetectorEntry,
  type DetectorStore,
} from './detect/partition.js';

export { diagnose, type DiagnoseOptions } from './diagnose/diagnose.js';

export { parseSimulationInput } from './simulate/input.js';
export { runSimulation, type SimulationResult, type TimelineEntry } from './simulate/run.js';
