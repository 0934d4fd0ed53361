import type { Kafka, Producer } from 'kafkajs';
import { topicsFor, type Serde, type TopicHandle } from '@healstream/contracts';
import { deadLetter, partitioner } from '@healstream/runtime';
import type { ScenarioRecord } from './incident-scenario.js';

function handleOf(prefix: string, logical: ScenarioRecord['logical']): TopicHandle {
  const t = topicsFor(prefix);
  const byLogical: Record<ScenarioRecord['logical'], TopicHandle> = {
    'reliability-events': t.reliabilityEvents,
    diagnoses: t.diagnoses,
    'healing-decisions': t.healingDecisions,
    'healing-commands': t.healingCommands,
    'healing-outcomes': t.healingOutcomes,
    escalations: t.escalations,
  };
  return byLogical[logical];
}

/** Writes scenario records where the pipeline would, keyed by component, Avro via the registry. */
export class ScenarioPublisher {
  private constructor(
    private readonly producer: Producer,
    private readonly serde: Serde,
    private readonly prefix: string,
  ) {}

  static async connect(kafka: Kafka, serde: Serde, prefix: string): Promise<ScenarioPublisher> {
    const producer = kafka.producer({ createPartitioner: partitioner });
    await producer.connect();
    return new ScenarioPublisher(producer, serde, prefix);
  }

  private async encode(r: ScenarioRecord): Promise<{ topic: string; key: string; value: Buffer }> {
    const handle = handleOf(this.prefix, r.logical);
    if (handle.record === 'raw') throw new Error(`${handle.topic} is not an Avro topic`);
    await this.serde.registerTopic(handle.topic, handle.record);
    return {
      topic: handle.topic,
      key: r.value.component,
      value: this.serde.encode(handle.topic, r.value),
    };
  }

  async publish(records: ScenarioRecord[]): Promise<void> {
    for (const r of records) {
      const { topic, key, value } = await this.encode(r);
      await this.producer.send({ topic, acks: -1, messages: [{ key, value }] });
    }
  }

  /** Writes the record as a dead letter of its topic, as a consumer that refused it would. */
  async deadLetter(r: ScenarioRecord, reason: string): Promise<string> {
    const { topic, key, value } = await this.encode(r);
    const dead = deadLetter(
      {
        key: Buffer.from(key),
        value,
        offset: '0',
        timestamp: String(Date.now()),
        attributes: 0,
        headers: {},
      },
      new Error(reason),
      { topic, partition: 0, service: 'test', now: Date.now() },
    );
    await this.producer.send({ topic: dead.topic, acks: -1, messages: [dead.message] });
    return dead.topic;
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}
