/**
 * Reads what a scenario left in its topics, committed records only, as the invariants need them.
 * The Serde is created and every topic's schema registered before the fault, so a registry that
 * is down at the end cannot keep the records from decoding.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import {
  RegistryClient,
  Serde,
  pipelineTopics,
  topicsFor,
  type Diagnosis,
  type Escalation,
  type HealingCommand,
  type HealingDecision,
  type HealingOutcome,
  type PipelineTopic,
} from '@healstream/contracts';

export interface TopicRecords {
  diagnoses: Diagnosis[];
  decisions: HealingDecision[];
  /**
   * When each decision was written (its record's timestamp, wall clock), in the order of
   * `decisions`: a decision's own `decidedAt` is event time, the clock of the samples.
   */
  decisionsWrittenAt?: number[];
  commands: HealingCommand[];
  outcomes: HealingOutcome[];
  escalationRequests: Escalation[];
  escalations: Escalation[];
  /** Records on each dead-letter topic, by logical name. */
  deadLetters: Record<string, number>;
  /** The keys of those records (a dead letter keeps its record's key), by logical name. */
  deadLetterKeys?: Record<string, string[]>;
  undecodable: number;
}

const READ: PipelineTopic[] = [
  'diagnoses',
  'healing-decisions',
  'healing-commands',
  'healing-outcomes',
  'escalation-requests',
  'escalations',
];

export async function preparedSerde(registryUrl: string, prefix: string): Promise<Serde> {
  const serde = new Serde(new RegistryClient(registryUrl));
  for (const logical of Object.keys(pipelineTopics) as PipelineTopic[])
    await serde.registerTopic(`${prefix}${logical}`, pipelineTopics[logical]);
  return serde;
}

/** Everything committed on the scenario's output topics, read until 5 s pass with nothing new. */
export async function readOutputs(
  kafka: Kafka,
  serde: Serde,
  prefix: string,
): Promise<TopicRecords> {
  const topics = topicsFor(prefix);
  const records: TopicRecords = {
    diagnoses: [],
    decisions: [],
    decisionsWrittenAt: [],
    commands: [],
    outcomes: [],
    escalationRequests: [],
    escalations: [],
    deadLetters: Object.fromEntries(topics.deadLetters.map((t) => [t.logical, 0])),
    deadLetterKeys: Object.fromEntries(topics.deadLetters.map((t) => [t.logical, []])),
    undecodable: 0,
  };
  const lists: Record<string, unknown[]> = {
    diagnoses: records.diagnoses,
    'healing-decisions': records.decisions,
    'healing-commands': records.commands,
    'healing-outcomes': records.outcomes,
    'escalation-requests': records.escalationRequests,
    escalations: records.escalations,
  };
  const byTopic = new Map<string, { logical: string; avro: boolean }>();
  for (const logical of READ) byTopic.set(`${prefix}${logical}`, { logical, avro: true });
  for (const t of topics.deadLetters) byTopic.set(t.topic, { logical: t.logical, avro: false });

  const consumer = kafka.consumer({
    groupId: `${prefix}chaos-reader-${Math.random().toString(16).slice(2, 8)}`,
    readUncommitted: false,
    maxWaitTimeInMs: 200,
  });
  let last = Date.now();
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    last = Date.now();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...byTopic.keys()], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        last = Date.now();
        const known = byTopic.get(topic);
        if (!known) return;
        if (!known.avro) {
          records.deadLetters[known.logical] = (records.deadLetters[known.logical] ?? 0) + 1;
          records.deadLetterKeys?.[known.logical]?.push(message.key?.toString() ?? '');
          return;
        }
        try {
          const name = pipelineTopics[known.logical as PipelineTopic];
          const value = await serde.decode(message.value, name);
          lists[known.logical]?.push(value);
          if (known.logical === 'healing-decisions')
            records.decisionsWrittenAt?.push(Number(message.timestamp));
        } catch {
          records.undecodable++;
        }
      },
    });
    const deadline = Date.now() + 90_000;
    while (!(joined && Date.now() - last > 5000) && Date.now() < deadline) await sleep(250);
    if (!joined) throw new Error('the reader never joined its group: is the broker up?');
  } finally {
    await consumer.disconnect();
  }
  return records;
}
