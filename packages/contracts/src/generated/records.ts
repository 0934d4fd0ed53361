// Generated from schemas/*.avsc by packages/contracts/scripts/generate.ts. Do not edit.

/** One observation of one metric of one component. Key: component id. */
export interface MetricSample {
  /** Component id, e.g. payments. */
  component: string;
  /** Metric name, e.g. latency_p99_ms. */
  metric: string;
  value: number;
  /** When the value was observed (epoch ms). */
  timestamp: number;
  /** Free-form labels, e.g. version, instance, deploy marker. */
  labels: Record<string, string>;
}

export type EventKind = 'ANOMALY' | 'RESOLVED' | 'SILENT';

export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';

export interface MetricReading {
  metric: string;
  value: number;
  observedAt: number;
}

export interface Anomaly {
  metric: string;
  value: number;
  /** What the detector expected. */
  baseline: number;
  /** Anomaly score in [0,1]. */
  score: number;
  /** threshold, statistical, forecast (a trend predicted to cross a threshold) or surplus (more replicas than normal). */
  detector: string;
}

/** Where a metric's trend (Holt's linear trend model) puts it at a horizon, with a confidence band from the model's residual variance. */
export interface Forecast {
  metric: string;
  /** Seconds after detectedAt. */
  horizonSeconds: number;
  /** The predicted value. */
  value: number;
  /** Lower bound of the confidence band. */
  lower: number;
  /** Upper bound of the confidence band. */
  upper: number;
}

/** A component turned anomalous (ANOMALY, repeated while it stays so) or recovered (RESOLVED). Key: component id. */
export interface ReliabilityEvent {
  eventId: string;
  incidentId: string;
  component: string;
  kind: EventKind;
  severity: Severity;
  detectedAt: number;
  /** Latest value of each metric of the component. */
  snapshot: MetricReading[];
  anomalies: Anomaly[];
  /** Latest labels of the component's samples. */
  labels: Record<string, string>;
  /** Forecasts of the component's trended metrics; empty while the models warm up. */
  forecasts: Forecast[];
}

export interface Cause {
  /** e.g. connection-pool-exhaustion, memory-leak, bad-deploy, unknown. */
  cause: string;
  /** In [0,1]. */
  confidence: number;
  /** Lines a person can read. */
  evidence: string[];
}

/** A reliability event with its probable causes, ranked by confidence. Key: component id. */
export interface Diagnosis {
  eventId: string;
  incidentId: string;
  component: string;
  kind: EventKind;
  severity: Severity;
  detectedAt: number;
  diagnosedAt: number;
  snapshot: MetricReading[];
  anomalies: Anomaly[];
  labels: Record<string, string>;
  /** Forecasts of the component's trended metrics; empty while the models warm up. */
  forecasts: Forecast[];
  causes: Cause[];
}

export interface PolicyRef {
  name: string;
  priority: number;
}

export interface ActionRequest {
  name: string;
  /** Parameters as strings; each action's schema parses and bounds them. */
  params: Record<string, string>;
}

export type Mode = 'ENFORCE' | 'SHADOW';

/** What the policy-evaluator tells the action-executor to do. Key: component id. */
export interface HealingCommand {
  /** Deterministic from incident, policy and attempt. */
  commandId: string;
  incidentId: string;
  component: string;
  policy: PolicyRef;
  actions: ActionRequest[];
  /** 1 for the first policy tried on the incident, 2 for the next, ... */
  attempt: number;
  issuedAt: number;
  deadline: number;
  mode: Mode;
  /** Why this policy was chosen, for the audit trail and pages. */
  reason: string;
}

export type Verdict = 'DISPATCHED' | 'SKIPPED_COOLDOWN' | 'SKIPPED_RATE_LIMIT' | 'SKIPPED_IN_FLIGHT' | 'SKIPPED_INVALID' | 'NO_MATCH' | 'SHADOW' | 'ESCALATE' | 'RESOLVED' | 'SKIPPED_MAINTENANCE' | 'SKIPPED_ACKNOWLEDGED' | 'SKIPPED_FLAPPING' | 'PENDING_APPROVAL' | 'APPROVED' | 'DENIED';

export interface PolicyEvaluation {
  policy: string;
  priority: number;
  matched: boolean;
  /** chosen, no-match, cooldown, rate-limit, tried, disabled, not-selected, lower-priority. */
  outcome: string;
  reason: string;
}

/** The answer to 'why did it (not) act?' for one evaluation. Key: component id. */
export interface HealingDecision {
  decisionId: string;
  incidentId: string;
  component: string;
  /** The diagnosis or outcome that was evaluated. */
  eventId: string;
  verdict: Verdict;
  policy: null | string;
  commandId: null | string;
  attempt: number;
  reason: string;
  evaluated: PolicyEvaluation[];
  decidedAt: number;
  /** The diagnosed causes, most confident first. */
  causes: string[];
}

export type ActionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'SKIPPED' | 'DELEGATED';

export interface ActionResult {
  name: string;
  status: ActionStatus;
  durationMs: number;
  error: null | string;
  detail: null | string;
}

export type Verification = 'RECOVERED' | 'NOT_RECOVERED' | 'UNKNOWN';

/** What one command did and whether the component recovered. Exactly one per command. Key: component id. */
export interface HealingOutcome {
  commandId: string;
  incidentId: string;
  component: string;
  policy: string;
  attempt: number;
  mode: Mode;
  actions: ActionResult[];
  verification: Verification;
  verificationDetail: string;
  startedAt: number;
  finishedAt: number;
}

export type EscalationSource = 'POLICY_ACTION' | 'HEALING_FAILED' | 'LADDER_EXHAUSTED' | 'DEAD_LETTER' | 'STORM_BREAKER' | 'UNHANDLED' | 'FLAPPING' | 'POLICY_DEMOTED' | 'APPROVAL_REQUESTED' | 'APPROVAL_DENIED' | 'FLEET_SILENT';

export type EscalationStatus = 'TRIGGERED' | 'RESOLVED';

/** A page to a human (or its resolution), as delivered to a sink. Key: component id (or the DLQ's source topic). */
export interface Escalation {
  escalationId: string;
  source: EscalationSource;
  incidentId: null | string;
  component: string;
  severity: Severity;
  summary: string;
  /** Diagnosis, evidence and context for the person paged. */
  details: string;
  /** policy: action → result, in order. */
  actionsTried: string[];
  /** The sink it was delivered to. */
  channel: string;
  dedupKey: string;
  status: EscalationStatus;
  createdAt: number;
  links: string[];
}

export type ControlKind = 'MAINTENANCE' | 'PAUSE' | 'ACKNOWLEDGE' | 'APPROVAL' | 'POLICY_SET' | 'POLICY_OVERRIDE';

export type ControlAction = 'SET' | 'END';

export interface ControlScope {
  /** The whole fleet. */
  all: boolean;
  component: null | string;
  team: null | string;
  /** Every label must match (components.yaml labels). */
  labels: Record<string, string>;
}

/** An operator's lever: a maintenance window, a pause, an acknowledgement, an approval, a policy set or a policy override. Key: controlId. Written to every partition of the compacted control topic, so every evaluator partition applies it at one point of its own stream; the latest record per controlId wins. */
export interface ControlRecord {
  /** What it governs, e.g. maintenance:<id>, pause:<scope>, ack:<incidentId>, approval:<commandId>, policies, policy:<name>. */
  controlId: string;
  kind: ControlKind;
  /** SET puts the lever in place (or replaces it); END removes it from that point on. */
  action: ControlAction;
  /** Which components a window or pause covers; ignored by the other kinds. */
  scope: ControlScope;
  startsAt: null | number;
  /** null: until ended. */
  endsAt: null | number;
  /** null, or 'weekly': the window repeats every 7 days from startsAt. */
  recurrence: null | string;
  /** Maintenance: hold pages during the window (true) or send them (false). */
  holdPages: boolean;
  /** ACKNOWLEDGE: the incident. */
  incidentId: null | string;
  /** APPROVAL: the pending command. */
  commandId: null | string;
  /** APPROVAL: true approve, false deny. */
  approved: null | boolean;
  /** POLICY_OVERRIDE: the policy's name. */
  policy: null | string;
  /** POLICY_OVERRIDE: enforce, shadow or disabled. */
  policyMode: null | string;
  /** POLICY_SET: the version number, 1, 2, … */
  version: null | number;
  /** POLICY_SET: the validated policies and components, as JSON. */
  document: null | string;
  author: string;
  /** Why, in the operator's words (a pause's reason, a denial's reason). */
  comment: string;
  createdAt: number;
}
