import type * as Records from './generated/records.js';
import type { RecordName } from './schemas.js';

/** The logical topics of DESIGN.md's table; physical names get the configurable prefix. */
export const pipelineTopics = {
  metrics: 'MetricSample',
  'reliability-events': 'ReliabilityEvent',
  diagnoses: 'Diagnosis',
  'healing-commands': 'HealingCommand',
  'healing-decisions': 'HealingDecision',
  'healing-outcomes': 'HealingOutcome',
  /** Pages the policy-evaluator asks for (ladder exhausted, storm breaker), in the decision's transaction. */
  'escalation-requests': 'Escalation',
  escalations: 'Escalation',
  /** Operators' levers (maintenance, pause, ack, approval, policy versions): compacted, every record on every partition. */
  control: 'ControlRecord',
} as const satisfies Record<string, RecordName>;

export type PipelineTopic = keyof typeof pipelineTopics;

/** Compacted changelogs of the stateful services (JSON values, not registered in the registry). */
export const changelogTopics = [
  'detector.state',
  'policy-evaluator.state',
  'action-executor.ledger',
  'escalator.state',
] as const;

/**
 * Compacted topics of plain JSON read by people and dashboards, not by the pipeline:
 * `policy-effectiveness` holds the latest success-rate table per component (key: component).
 */
export const jsonTopics = ['policy-effectiveness'] as const;

/** Topics whose consumers dead-letter what they cannot process. */
export const dlqSourceTopics = [
  'metrics',
  'reliability-events',
  'diagnoses',
  'healing-commands',
  'healing-decisions',
  'healing-outcomes',
  'escalation-requests',
] as const satisfies readonly PipelineTopic[];

/** The TypeScript type of each Avro record. */
export interface RecordTypes {
  MetricSample: Records.MetricSample;
  ReliabilityEvent: Records.ReliabilityEvent;
  Diagnosis: Records.Diagnosis;
  HealingCommand: Records.HealingCommand;
  HealingDecision: Records.HealingDecision;
  HealingOutcome: Records.HealingOutcome;
  Escalation: Records.Escalation;
  ControlRecord: Records.ControlRecord;
}

/**
 * A topic as code sees it: its logical name, its physical name (`topic`, with the prefix) and
 * what its records carry: an Avro record name, or 'raw' bytes (changelogs, dead letters). The
 * record name types the values read from the topic (`ValueOf`), so no `value as X` is needed.
 */
export interface TopicHandle<
  L extends string = string,
  R extends RecordName | 'raw' = RecordName | 'raw',
> {
  readonly logical: L;
  readonly topic: string;
  readonly record: R;
}

/** A topic of Avro records. */
export type AvroTopic<L extends string = string, R extends RecordName = RecordName> = TopicHandle<
  L,
  R
>;
/** A topic of raw bytes: a changelog or a dead-letter topic. */
export type RawTopic<L extends string = string> = TopicHandle<L, 'raw'>;

/** The value a record of the topic carries once decoded. */
export type ValueOf<H extends TopicHandle> =
  H extends TopicHandle<string, infer R>
    ? R extends RecordName
      ? RecordTypes[R]
      : Buffer | null
    : never;

/**
 * The topics an incident's story is told on, from the first anomaly to the page: what the incident
 * store, the demo's journal and the console read.
 */
export type IncidentTopic = Extract<
  PipelineTopic,
  | 'reliability-events'
  | 'diagnoses'
  | 'healing-decisions'
  | 'healing-commands'
  | 'healing-outcomes'
  | 'escalations'
>;

/**
 * A decoded record tagged by the logical topic it came from, so `switch (record.logical)` hands
 * over a typed `value`. `TaggedRecord<IncidentTopic>` is one of an incident's story.
 */
export type TaggedRecord<L extends PipelineTopic = PipelineTopic> = {
  [K in L]: { logical: K; value: RecordTypes[(typeof pipelineTopics)[K]] };
}[L];

export type DeadLetterTopic = RawTopic<`${(typeof dlqSourceTopics)[number]}.dlq`>;

export function dlqName(topic: string): string {
  return `${topic}.dlq`;
}

/** Every topic of a deployment, by what it is for; physical names are `<prefix><logical>`. */
export function topicsFor(prefix: string) {
  const avro = <L extends PipelineTopic>(logical: L): AvroTopic<L, (typeof pipelineTopics)[L]> => ({
    logical,
    topic: `${prefix}${logical}`,
    record: pipelineTopics[logical],
  });
  const raw = <L extends string>(logical: L): RawTopic<L> => ({
    logical,
    topic: `${prefix}${logical}`,
    record: 'raw',
  });
  return {
    metrics: avro('metrics'),
    reliabilityEvents: avro('reliability-events'),
    diagnoses: avro('diagnoses'),
    healingCommands: avro('healing-commands'),
    healingDecisions: avro('healing-decisions'),
    healingOutcomes: avro('healing-outcomes'),
    escalationRequests: avro('escalation-requests'),
    escalations: avro('escalations'),
    control: avro('control'),
    detectorState: raw('detector.state'),
    policyEvaluatorState: raw('policy-evaluator.state'),
    actionExecutorLedger: raw('action-executor.ledger'),
    escalatorState: raw('escalator.state'),
    policyEffectiveness: raw('policy-effectiveness'),
    /** `<topic>.dlq` of every topic whose consumer dead-letters. */
    deadLetters: dlqSourceTopics.map((logical): DeadLetterTopic => raw(`${logical}.dlq`)),
  };
}

export type Topics = ReturnType<typeof topicsFor>;

/** The six topics of an incident's story (`IncidentTopic`), in the order it is told. */
export function incidentTopics(t: Topics) {
  return [
    t.reliabilityEvents,
    t.diagnoses,
    t.healingDecisions,
    t.healingCommands,
    t.healingOutcomes,
    t.escalations,
  ] as const;
}

/** True for the dead-letter topics, whose records are the original bytes of a failed record. */
export function isDeadLetter(topic: { logical: string }): boolean {
  return topic.logical.endsWith('.dlq');
}

export interface TopicSpec {
  name: string;
  partitions: number;
  cleanupPolicy: 'delete' | 'compact';
  /**
   * LogAppendTime: the broker stamps each record on arrival. The metrics topic has it, so the
   * detector's silence clock is the broker's time, whatever a producer's clock says.
   */
  timestampType?: 'LogAppendTime';
  /** The record carried, for Avro topics. */
  record?: RecordName;
}

/** Avro topics that keep the latest record per key. */
export const compactedAvroTopics: readonly PipelineTopic[] = ['control'];

/** Every topic healstream needs, with partitions and cleanup policy. */
export function topicCatalogue(prefix: string, partitions: number): TopicSpec[] {
  const { deadLetters, ...named } = topicsFor(prefix);
  return [...Object.values(named), ...deadLetters].map((h: TopicHandle): TopicSpec => ({
    name: h.topic,
    partitions,
    // Changelogs keep the latest value per key; dead letters, like records, are a history.
    cleanupPolicy:
      (h.record === 'raw' && !isDeadLetter(h)) ||
      (compactedAvroTopics as readonly string[]).includes(h.logical)
        ? 'compact'
        : 'delete',
    ...(h.logical === 'metrics' ? { timestampType: 'LogAppendTime' as const } : {}),
    ...(h.record === 'raw' ? {} : { record: h.record }),
  }));
}
