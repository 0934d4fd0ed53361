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
 * Read committed; per fetched partition batch one transaction of the instance's single
 * producer: the transformed records to the same partition number of the output, the offset of
 * the batch's last record (with the generation and member id it was fetched under), commit.
 * One producer means one transaction at a time for the whole instance.
 */
export async function platformaticTransactional(target: CaseTarget): Promise<CaseResult> {
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
      const fetched = await nextFetched(stream);
      watch.started();
      for (const [partition, messages] of byPartition(fetched)) {
        const last = messages[messages.length - 1] as Message;
        const tx = await producer.beginTransaction();
        try {
          await tx.send({
            acks: ProduceAcks.ALL,
            messages: messages.map((m) => ({
              topic: target.output,
              key: m.key,
              value: transform(m.value),
              partition,
            })),
          });
          await tx.addConsumer(client);
          await tx.addOffset(last);
          await tx.commit();
        } catch (error) {
          await tx.abort().catch(() => {});
          throw error;
        }
        watch.tick(messages.length);
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
