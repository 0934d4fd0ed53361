import { describe, expect, it } from 'vitest';
import type { RegistryClient } from './registry-client.js';
import { frame, Serde } from './serde.js';
import type { MetricSample } from './index.js';

/** A registry that hands out id 1 and knows no other schema. */
const registry = {
  setCompatibility: async () => {},
  register: async () => 1,
  schemaById: async (id: number) => {
    throw new Error(`schema ${id} not found`);
  },
} as unknown as RegistryClient;

const sample: MetricSample = {
  component: 'payments',
  metric: 'latency_p99',
  value: 120,
  timestamp: 1_700_000_000_000,
  labels: {},
};

describe('Serde.decodeKnown', () => {
  it('decodes at once what decode would, once the writer schema is known; undefined before', async () => {
    const serde = new Serde(registry);
    await serde.registerTopic('t.metrics', 'MetricSample');
    const buffer = serde.encode('t.metrics', sample);
    expect(serde.decodeKnown(buffer, 'MetricSample')).toEqual(
      await serde.decode(buffer, 'MetricSample'),
    );
    const unknown = frame(2, buffer.subarray(5));
    expect(serde.decodeKnown(unknown, 'MetricSample')).toBeUndefined();
    expect(() => serde.decodeKnown(Buffer.from([1, 2]), 'MetricSample')).toThrow(/framing/);
  });
});

describe('Serde.decode of a payload that does not fit', () => {
  it('refuses a cut-off or over-long payload as a poison record, as it does bad framing', async () => {
    const serde = new Serde(registry);
    await serde.registerTopic('t.metrics', 'MetricSample');
    const buffer = serde.encode('t.metrics', sample);
    const cut = buffer.subarray(0, buffer.length - 3);
    const long = Buffer.concat([buffer, Buffer.from([0])]);
    expect(() => serde.decodeKnown(cut, 'MetricSample')).toThrow(/truncated buffer/);
    expect(() => serde.decodeKnown(long, 'MetricSample')).toThrow(/trailing data/);
    await expect(serde.decode(long, 'MetricSample')).rejects.toMatchObject({
      code: 'DECODE_FAILED',
    });
  });
});
