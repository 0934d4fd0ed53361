import type { Kafka, Message, Producer } from 'kafkajs';
import { TransientError } from '@healstream/contracts';
import { partitioner, type Logger } from '@healstream/runtime';

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

/**
 * Publishes each request's records in one Kafka transaction (an idempotent, transactional
 * producer), so a request is published whole or not at all: consumers read committed only.
 * One transaction at a time. A producer whose transaction failed is dropped and the next
 * publish starts a new one (its InitProducerId settles whatever the old one left in doubt).
 */
export class TransactionalPublisher {
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly transactionalId: string,
    private readonly logger: Logger,
  ) {}

  private async connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        transactionalId: this.transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: partitioner,
      });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  async publish(batches: TopicMessages[]): Promise<void> {
    if (batches.every((b) => b.messages.length === 0)) return;
    let producer: Producer | undefined;
    try {
      producer = await this.connected();
      const tx = await producer.transaction();
      try {
        for (const b of batches)
          if (b.messages.length > 0) await tx.send({ topic: b.topic, messages: b.messages });
        await tx.commit();
      } catch (error) {
        await tx.abort().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'publish failed; the request is answered 503 for a retry');
      this.producer = undefined;
      await producer?.disconnect().catch(() => undefined);
      throw new TransientError(
        'BROKER_UNAVAILABLE',
        `Kafka did not take the records: ${(error as Error).message}`,
        error,
      );
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}
