import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';

const HEALTH_TOPIC = 'healstream.infra-health';

const client = (brokers: string) =>
  new Kafka({
    clientId: 'healstream-infra',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });

/**
 * True when Kafka (`host:port`, or a cluster's comma-separated list) takes a produce with every
 * in-sync replica's acknowledgement, creating its 1-partition health topic if needed.
 */
export async function kafkaAcceptsProduce(brokers: string): Promise<boolean> {
  const kafka = client(brokers);
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    if (!topics.includes(HEALTH_TOPIC)) {
      await admin.createTopics({
        topics: [{ topic: HEALTH_TOPIC, numPartitions: 1 }],
        // Not kafkajs' wait (it fails on a busy broker's UNKNOWN_TOPIC_OR_PARTITION): the
        // producer below retries until the partition has a leader.
        waitForLeaders: false,
      });
    }
    await producer.connect();
    await producer.send({
      topic: HEALTH_TOPIC,
      acks: -1,
      messages: [{ value: String(Date.now()) }],
    });
    return true;
  } catch {
    return false;
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/** The ids of the brokers the cluster's metadata lists (registered and not fenced); [] if none answers. */
export async function registeredBrokers(brokers: string): Promise<number[]> {
  const admin = client(brokers).admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.map((b) => b.nodeId);
  } catch {
    return [];
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export async function registryAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  stillAlive: () => void = () => {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    stillAlive();
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(500);
  }
}
