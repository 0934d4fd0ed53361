import type {
  Diagnosis,
  Escalation,
  HealingCommand,
  HealingDecision,
  HealingOutcome,
  IncidentTopic,
  ReliabilityEvent,
  TaggedRecord,
} from '@healstream/contracts';

/** Where a record was read: the store applies each position once. */
export interface Position {
  topic: string;
  partition: number;
  offset: string;
}

/** A decoded record of a topic the store materialises, tagged by its logical topic. */
export type PipelineRecord = TaggedRecord<IncidentTopic>;

/** A dead letter as kept by the store: the original bytes and the headers saying why. */
export interface DeadLetterRecord {
  logical: 'dead-letter';
  key: string | null;
  /** The original value, base64. */
  value: string | null;
  headers: Record<string, string>;
  timestamp: number;
}

export type StoredRecord = (PipelineRecord | DeadLetterRecord) & { at: Position };

export type IncidentStatus = 'open' | 'resolved';

export interface IncidentSummary {
  id: string;
  component: string;
  team: string | null;
  severity: string | null;
  status: IncidentStatus;
  openedAt: number | null;
  updatedAt: number;
  resolvedAt: number | null;
  cause: string | null;
  confidence: number | null;
  verdict: string | null;
  policy: string | null;
  verification: string | null;
  pages: number;
}

export type EntryKind =
  'detected' | 'diagnosed' | 'decided' | 'command' | 'outcome' | 'page' | 'resolved';

/** One step of an incident's story, with the record it comes from. */
export type TimelineEntry = { at: number; source: string } & (
  | { kind: 'detected'; record: ReliabilityEvent }
  | { kind: 'resolved'; record: ReliabilityEvent | HealingDecision }
  | { kind: 'diagnosed'; record: Diagnosis }
  | { kind: 'decided'; record: HealingDecision }
  | { kind: 'command'; record: HealingCommand }
  | { kind: 'outcome'; record: HealingOutcome }
  | { kind: 'page'; record: Escalation }
);

export interface ChartSeries {
  metric: string;
  points: { at: number; value: number }[];
  anomalies: { at: number; value: number; baseline: number; score: number; detector: string }[];
  /** The threshold rule's value when a threshold detector flagged the metric. */
  threshold: number | null;
}

export interface IncidentChart {
  series: ChartSeries[];
  /** Commands and outcomes on the same time axis. */
  actions: { at: number; label: string; status: string }[];
}

export interface IncidentView {
  incident: IncidentSummary;
  timeline: TimelineEntry[];
  chart: IncidentChart;
}

export interface IncidentFilter {
  /** Only open incidents. */
  open?: boolean;
  component?: string;
  team?: string;
  verdict?: string;
  cause?: string;
  /** Resolved incidents count as recent when updated at or after this time (epoch ms). */
  since?: number;
  limit?: number;
}

export interface DecisionFilter {
  component?: string;
  policy?: string;
  verdict?: string;
  from?: number;
  to?: number;
  limit?: number;
}

export interface DecisionRow {
  decisionId: string;
  incidentId: string;
  component: string;
  verdict: string;
  policy: string | null;
  decidedAt: number;
  reason: string;
  evaluated: HealingDecision['evaluated'];
}

export type ComponentState = 'healthy' | 'incident open' | 'in cooldown';

export interface FleetRow {
  component: string;
  team: string | null;
  state: ComponentState;
  openIncident: string | null;
  lastAction: {
    policy: string;
    actions: string[];
    verification: string;
    finishedAt: number;
  } | null;
  /** Per policy: enforced outcomes and how many recovered the component. */
  effectiveness: { policy: string; outcomes: number; recovered: number }[];
}

export interface DeadLetterRow {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestamp: number;
}
