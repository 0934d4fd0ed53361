import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import {
  examples,
  RegistryClient,
  Serde,
  PoisonRecordError,
  HealstreamError,
} from '@healstream/contracts';
import { loadSchema, recordNames } from './schemas.js';
import {
  readTopic,
  testEnv,
  testKafka,
  uniqueName,
  withTopics,
} from '@healstream/test-support/kafka';

describe('Avro contracts against the real registry and broker', () => {
  it('round-trips every record through Kafka', async () => {
    const kafka = testKafka();
    const serde = new Serde(new RegistryClient(testEnv().registryUrl));
    const topics = recordNames.map((name) => ({ name: uniqueName(name), record: name }));
    await withTopics(
      kafka,
      topics.map((t) => ({ name: t.name })),
    );
    const producer = kafka.producer();
    await producer.connect();
    for (const t of topics) {
      await serde.registerTopic(t.name, t.record);
      await producer.send({
        topic: t.name,
        messages: [{ key: 'payments', value: serde.encode(t.name, examples[t.record]) }],
      });
    }
    await producer.disconnect();
    for (const t of topics) {
      const [message] = await readTopic(kafka, t.name, { until: (m) => m.length >= 1 });
      expect(message?.key?.toString()).toBe('payments');
      expect(await serde.decode(message?.value ?? null, t.record)).toEqual(examples[t.record]);
    }
  });

  it('makes no registry call per message once schemas are known', async () => {
    const serde = new Serde(new RegistryClient(testEnv().registryUrl));
    const topic = uniqueName('steady');
    await serde.registerTopic(topic, 'MetricSample');
    const callsAfterStartup = serde.registryCalls;
    for (let i = 0; i < 1000; i++) {
      const bytes = serde.encode(topic, { ...examples.MetricSample, value: i });
      expect((await serde.decode<{ value: number }>(bytes, 'MetricSample')).value).toBe(i);
    }
    expect(serde.registryCalls).toBe(callsAfterStartup);
  });

  it('is read by the ecosystem client, @kafkajs/confluent-schema-registry', async () => {
    const serde = new Serde(new RegistryClient(testEnv().registryUrl));
    const topic = uniqueName('interop');
    await serde.registerTopic(topic, 'HealingOutcome');
    const foreign = new SchemaRegistry({ host: testEnv().registryUrl });
    expect(await foreign.decode(serde.encode(topic, examples.HealingOutcome))).toEqual(
      examples.HealingOutcome,
    );
  });

  it('names each invalid field when a record does not fit its schema', async () => {
    const serde = new Serde(new RegistryClient(testEnv().registryUrl));
    const topic = uniqueName('invalid');
    await serde.registerTopic(topic, 'MetricSample');
    const bad = { ...examples.MetricSample, value: 'high', labels: 'none' };
    expect(() => serde.encode(topic, bad)).toThrow(PoisonRecordError);
    expect(() => serde.encode(topic, bad)).toThrow(/value: got "high".*labels/);
  });

  it('reports an unknown schema id as a poison record', async () => {
    const serde = new Serde(new RegistryClient(testEnv().registryUrl));
    const framed = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0x01]), Buffer.from('x')]);
    await expect(serde.decode(framed, 'MetricSample')).rejects.toMatchObject({
      code: 'UNKNOWN_SCHEMA',
      retriable: false,
    });
  });

  it('reports an unreachable registry as retriable, not as a bad record', async () => {
    const serde = new Serde(
      new RegistryClient('http://127.0.0.1:9/apis/ccompat/v7', { timeoutMs: 500 }),
    );
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 42]), Buffer.from('x')]);
    await expect(serde.decode(framed, 'MetricSample')).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retriable: true,
    });
  });
});

describe('schema evolution under the configured compatibility (FULL by default)', () => {
  const base = loadSchema('MetricSample') as unknown as { fields: { name: string }[] } & Record<
    string,
    unknown
  >;

  it('accepts an added optional field with a default', async () => {
    const client = new RegistryClient(testEnv().registryUrl);
    const subject = `${uniqueName('evolve')}-value`;
    await client.setCompatibility(subject, 'FULL');
    const v1 = await client.register(subject, base);
    const v2 = await client.register(subject, {
      ...base,
      fields: [...base.fields, { name: 'unit', type: ['null', 'string'], default: null }],
    });
    expect(v2).not.toBe(v1);
    // A reader on the new schema reads data written with the old one.
    const old = avro.Type.forSchema(base as avro.Schema);
    const next = avro.Type.forSchema({
      ...base,
      fields: [...base.fields, { name: 'unit', type: ['null', 'string'], default: null }],
    } as avro.Schema);
    expect(
      next.fromBuffer(old.toBuffer(examples.MetricSample), next.createResolver(old)),
    ).toMatchObject({ unit: null });
  });

  it('rejects removing a required field', async () => {
    const client = new RegistryClient(testEnv().registryUrl);
    const subject = `${uniqueName('evolve')}-value`;
    await client.setCompatibility(subject, 'FULL');
    await client.register(subject, base);
    const withoutValue = { ...base, fields: base.fields.filter((f) => f.name !== 'value') };
    await expect(client.register(subject, withoutValue)).rejects.toThrow(HealstreamError);
    await expect(client.register(subject, withoutValue)).rejects.toThrow(/rejected the schema/);
  });

  it('rejects adding a required field without a default', async () => {
    const client = new RegistryClient(testEnv().registryUrl);
    const subject = `${uniqueName('evolve')}-value`;
    await client.setCompatibility(subject, 'FULL');
    await client.register(subject, base);
    await expect(
      client.register(subject, {
        ...base,
        fields: [...base.fields, { name: 'unit', type: 'string' }],
      }),
    ).rejects.toThrow(/rejected the schema/);
  });
});
