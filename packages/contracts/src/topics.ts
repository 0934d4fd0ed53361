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
} as const satisfies Record<string, RecordName>;

export type PipelineTopic = keyof typeof pipelineTopics;

/** Compacted changelogs of the stateful services (JSON values, not registered in the registry). */
export const changelogTopics = [
  'detector.state',
  'diagnoser.state',
  'policy-evaluator.state',
  'action-executor.ledger',
  'escalator.state',
] as const;

/** Topics whose consumers dead-letter what they cannot process. */
export const dlqSourceTopics: PipelineTopic[] = [
  'metrics',
  'reliability-events',
  'diagnoses',
  'healing-commands',
  'healing-decisions',
  'healing-outcomes',
  'escalation-requests',
];

export interface TopicSpec {
  name: string;
  partitions: number;
  cleanupPolicy: 'delete' | 'compact';
  /** The record carried, for Avro topics. */
  record?: RecordName;
}

export function topicName(prefix: string, logical: string): string {
  return `${prefix}${logical}`;
}

export function dlqName(topic: string): string {
  return `${topic}.dlq`;
}

/** Every topic healstream needs, with partitions and cleanup policy. */
export function topicCatalogue(prefix: string, partitions: number): TopicSpec[] {
  const specs: TopicSpec[] = [];
  for (const [logical, record] of Object.entries(pipelineTopics)) {
    specs.push({ name: topicName(prefix, logical), partitions, cleanupPolicy: 'delete', record });
  }
  for (const logical of changelogTopics) {
    specs.push({ name: topicName(prefix, logical), partitions, cleanupPolicy: 'compact' });
  }
  for (const logical of dlqSourceTopics) {
    specs.push({ name: dlqName(topicName(prefix, logical)), partitions, cleanupPolicy: 'delete' });
  }
  return specs;
}
