/**
 * The @platformatic/kafka cases: raw consume through its message stream, and consume →
 * transform → produce in a transaction with one transactional producer for the whole instance.
 * Its TxnOffsetCommit carries the consumer group's generation and member id (taken from each
 * message's metadata), so the group coordinator refuses offsets from a member of an older
 * generation: a zombie is fenced by the group, not by a transactional id per partition.
 */
import {
  Consumer,
  FetchIsolationLevels,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import { FETCH, stopwatch, transform, type CaseResult, type CaseTarget } from './shape.js';

function consumer(target: CaseTarget): Consumer {
  return new Consumer({
    clientId: 'bench-clients',
    bootstrapBrokers: target.brokers,
    groupId: target.group,
  });
}

function consumeOptions(target: CaseTarget) {
  return {
    topics: [target.input],
    mode: MessagesStreamModes.EARLIEST,
    maxWaitTime: FETCH.maxWaitMs,
    maxBytes: FETCH.maxBytes,
    maxBytesPerPartition: FETCH.maxBytesPerPartition,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
  };
}

/** The stream in flowing mode, one 'data' event per record. */
export async function platformaticStream(target: CaseTarget): Promise<CaseResult> {
  const client = consumer(target);
  const stream = await client.consume({ ...consumeOptions(target), autocommit: true });
  const watch = stopwatch(target.records);
  stream.on('data', () => watch.tick(1));
  await watch.finished;
  await stream.close();
  await client.close();
  return watch.result();
}

/**
 * Everything the stream has buffered now, which is what its fetches have brought since the last
 * call (a fetch response is pushed whole), or, when the buffer is empty, the next such lot.
 */
async function nextFetched(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>) {
  for (;;) {
    const fetched: Message[] = [];
    for (let m = stream.read() as Message | null; m !== null; m = stream.read() as Message | null)
      fetched.push(m);
    if (fetched.length > 0) return fetched;
    if (stream.destroyed) throw new Error('platformatic case: the message stream was destroyed');
    await new Promise<void>((resolve) => {
      const wake = () => {
        stream.off('readable', wake);
        stream.off('close', wake);
        resolve();
      };
      stream.on('readable', wake);
      stream.on('close', wake);
    });
  }
}

function byPartition(messages: Message[]): Map<number, Message[]> {
  const groups = new Map<number, Message[]>();
  for (const m of messages) {
    const list = groups.get(m.partition);
    if (list) list.push(m);
    else groups.set(m.partition, [m]);
  }
  return groups;
}

/**
 * One transaction of the instance's single producer over `messages` (fetched records of one
 * or more partitions): their transformed records to the same partition numbers of the output,
 * the offset of each partition's last record (with the generation and member id it was fetched
 * under), commit.
 */
async function commitTransformed(
  producer: Producer,
  client: Consumer,
  output: string,
  partitions: Map<number, Message[]>,
): Promise<void> {
  const tx = await producer.beginTransaction();
  try {
    await tx.send({
      acks: ProduceAcks.ALL,
      messages: [...partitions.values()].flatMap((messages) =>
        messages.map((m) => ({
          topic: output,
          key: m.key,
          value: transform(m.value),
          partition: m.partition,
        })),
      ),
    });
    await tx.addConsumer(client);
    // One TxnOffsetCommit per call, and concurrent calls share one result: one at a time.
    for (const messages of partitions.values()) await tx.addOffset(messages.at(-1) as Message);
    await tx.commit();
  } catch (error) {
    await tx.abort().catch(() => {});
    throw error;
  }
}

/**
 * Read committed, one transactional producer for the instance (so one transaction at a time).
 * `per: 'partition'` runs one transaction per fetched partition batch, the shape of the kafkajs
 * case; `per: 'fetch'` one transaction over everything a fetch brought, every partition at
 * once, which only fencing by generation allows (a kafkajs producer is bound to one partition).
 */
export async function platformaticTransactional(
  target: CaseTarget,
  per: 'partition' | 'fetch',
): Promise<CaseResult> {
  const producer = new Producer({
    clientId: 'bench-clients',
    bootstrapBrokers: target.brokers,
    idempotent: true,
    transactionalId: `${target.group}:instance`,
    autocreateTopics: false,
  });
  // Initialised before the first record, as the kafkajs case connects its producers first.
  await producer.initIdempotentProducer({});
  const client = consumer(target);
  const stream = await client.consume({ ...consumeOptions(target), autocommit: false });
  // A 'readable' listener puts the stream in paused mode; without one it does not fetch at all.
  stream.on('readable', () => {});
  const watch = stopwatch(target.records);
  void (async () => {
    for (;;) {
      const fetched = byPartition(await nextFetched(stream));
      watch.started();
      const lots = per === 'fetch' ? [fetched] : [...fetched].map(([p, m]) => new Map([[p, m]]));
      for (const lot of lots) {
        await commitTransformed(producer, client, target.output, lot);
        watch.tick([...lot.values()].reduce((n, m) => n + m.length, 0));
      }
      if (watch.result().records >= target.records) return;
    }
  })().catch((error: unknown) => watch.fail(error));
  await watch.finished;
  await stream.close();
  await client.close();
  await producer.close();
  return watch.result();
}
