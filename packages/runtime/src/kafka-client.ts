import { Kafka, Partitioners, type KafkaConfig } from 'kafkajs';
import { kafkaLogCreator, quietKafkajsTimerWarnings, type Logger } from './logger.js';

/** One kafkajs client for a service; producers it makes use Java's murmur2 partitioner. */
export function createKafka(options: {
  brokers: string[];
  clientId: string;
  logger: Logger;
  extra?: Partial<KafkaConfig>;
}): Kafka {
  quietKafkajsTimerWarnings();
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logCreator: kafkaLogCreator(options.logger),
    retry: { initialRetryTime: 100, retries: 8 },
    ...options.extra,
  });
}

/** Java-compatible key → partition (murmur2), the same for every producer healstream runs. */
export const partitioner = Partitioners.DefaultPartitioner;
