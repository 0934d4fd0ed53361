import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// kafkajs' record decoding, as patched in patches/kafkajs@2.2.4.patch: a varlong of up to 7 bytes
// is read in Number arithmetic, a record's offset and timestamp are Number sums of the batch's
// bases when those are safe integers, records are decoded where they lie in the batch, and a
// fetch's records are filtered by comparing their offsets as decimal strings. Each fast path must
// give what the Long (BigInt) arithmetic gives, and anything outside it must take that path.
const require = createRequire(import.meta.url);
type LongValue = { value: bigint; toString(): string };
const Long = require('kafkajs/src/utils/long.js') as {
  fromValue(v: bigint | number | string): LongValue;
};
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => {
  writeVarLong(v: LongValue | number): unknown;
  buffer: Buffer;
};
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => {
  offset: number;
  readVarLong(): LongValue;
  readSafeVarLong(): number | LongValue;
};
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (batch: {
    firstOffset: LongValue;
    firstTimestamp: LongValue | number;
    maxTimestamp: LongValue | number;
    lastOffsetDelta: number;
    records: unknown[];
  }) => Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: {
  offsetDelta: number;
  timestampDelta: LongValue | number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string | string[]>;
}) => unknown;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: {
  offset: number;
}) => Promise<{ records: DecodedRecord[] }>;
const Batch = require('kafkajs/src/consumer/batch.js') as new (
  topic: string,
  fetchedOffset: string,
  partitionData: { partition: number; highWatermark: string; messages: { offset: string }[] },
) => { messages: { offset: string }[] };

interface DecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
}

interface RecordSpec {
  offsetDelta: number;
  timestampDelta: bigint;
  key: string | null;
  value: string | null;
  headers?: Record<string, string | string[]>;
}

function varlong(value: bigint): Buffer {
  const encoder = new Encoder();
  encoder.writeVarLong(Long.fromValue(value));
  return encoder.buffer;
}

async function roundTrip(
  firstOffset: bigint,
  firstTimestamp: bigint,
  specs: RecordSpec[],
  { logAppendTime = false, maxTimestamp = firstTimestamp } = {},
): Promise<DecodedRecord[]> {
  const batch = await RecordBatch({
    firstOffset: Long.fromValue(firstOffset),
    firstTimestamp: Long.fromValue(firstTimestamp),
    maxTimestamp: Long.fromValue(maxTimestamp),
    lastOffsetDelta: specs.length - 1,
    records: specs.map((s) =>
      Record({
        offsetDelta: s.offsetDelta,
        timestampDelta: Long.fromValue(s.timestampDelta),
        key: s.key === null ? null : Buffer.from(s.key),
        value: s.value === null ? null : Buffer.from(s.value),
        ...(s.headers ? { headers: s.headers } : {}),
      }),
    ),
  });
  const bytes = Buffer.from(batch.buffer);
  // The attributes (int16 after first offset, length, leader epoch, magic and CRC): the
  // timestamp-type bit, which the encoder never sets. The decoder does not check the CRC.
  if (logAppendTime) bytes[22] = (bytes[22] as number) | 0x08;
  return (await decodeBatch(new Decoder(bytes))).records;
}

const expected = (base: bigint, delta: bigint | number) => (base + BigInt(delta)).toString();

describe('kafkajs record decoding (patched)', () => {
  it('reads every varlong as readVarLong does, a Number up to 7 bytes and a Long beyond', () => {
    const edges = [0n, 1n, -1n, 63n, -64n, 64n, 2n ** 48n - 1n, -(2n ** 48n), 2n ** 48n];
    const edgeValues = edges.concat([-(2n ** 48n) - 1n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n]);
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), fc.constantFrom(...edgeValues)),
        (value) => {
          const bytes = varlong(value);
          const fast = new Decoder(bytes);
          const read = fast.readSafeVarLong();
          const slow = new Decoder(bytes);
          expect(BigInt(typeof read === 'number' ? read : read.value)).toBe(
            slow.readVarLong().value,
          );
          expect(fast.offset).toBe(bytes.length);
          // Exactly the values of at most 7 bytes come back as Numbers.
          expect(typeof read === 'number').toBe(bytes.length <= 7);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives each record its offset, timestamp, key, value and headers', async () => {
    const firstOffset = 1_234_567n;
    const firstTimestamp = 1_780_000_000_000n;
    const specs: RecordSpec[] = [
      { offsetDelta: 0, timestampDelta: 0n, key: 'c-1', value: 'a' },
      { offsetDelta: 1, timestampDelta: 250n, key: null, value: 'b' },
      { offsetDelta: 2, timestampDelta: -5_000n, key: 'c-2', value: null },
      {
        offsetDelta: 3,
        timestampDelta: 2n ** 47n,
        key: 'c-3',
        value: 'd',
        headers: { h: ['x', 'y'], t: 'z' },
      },
      // Past 7 bytes: the Long path.
      { offsetDelta: 4, timestampDelta: 2n ** 55n, key: 'c-4', value: 'e' },
      { offsetDelta: 5, timestampDelta: -(2n ** 60n), key: '', value: '' },
    ];
    const records = await roundTrip(firstOffset, firstTimestamp, specs);
    expect(records.map((r) => r.offset)).toEqual(
      specs.map((s) => expected(firstOffset, s.offsetDelta)),
    );
    expect(records.map((r) => r.timestamp)).toEqual(
      specs.map((s) => expected(firstTimestamp, s.timestampDelta)),
    );
    expect(records.map((r) => r.key?.toString() ?? null)).toEqual(specs.map((s) => s.key));
    expect(records.map((r) => r.value?.toString() ?? null)).toEqual(specs.map((s) => s.value));
    expect(records[3]?.headers['t']?.toString()).toBe('z');
    expect((records[3]?.headers['h'] as Buffer[]).map(String)).toEqual(['x', 'y']);
    expect(records[0]?.headers).toEqual({});
  });

  it('takes the Long path when a base or a sum is not a safe integer', async () => {
    const unsafe = 2n ** 53n + 1n;
    const specs: RecordSpec[] = [
      { offsetDelta: 0, timestampDelta: 0n, key: 'k', value: 'v' },
      { offsetDelta: 7, timestampDelta: 3n, key: 'k', value: 'v' },
    ];
    const bigBases = await roundTrip(unsafe, unsafe, specs);
    expect(bigBases.map((r) => r.offset)).toEqual(['9007199254740993', '9007199254741000']);
    expect(bigBases.map((r) => r.timestamp)).toEqual(['9007199254740993', '9007199254740996']);
    // Safe bases whose sums are not.
    const edge = 2n ** 53n - 4n;
    const sums = await roundTrip(edge, edge, [
      { offsetDelta: 9, timestampDelta: 10n, key: 'k', value: 'v' },
    ]);
    expect(sums[0]?.offset).toBe(expected(edge, 9));
    expect(sums[0]?.timestamp).toBe(expected(edge, 10n));
  });

  it('gives every record the batch maximum under log-append time', async () => {
    const records = await roundTrip(
      10n,
      1_000n,
      [
        { offsetDelta: 0, timestampDelta: 1n, key: 'a', value: 'b' },
        { offsetDelta: 1, timestampDelta: 2n, key: 'a', value: 'b' },
      ],
      { logAppendTime: true, maxTimestamp: 5_000n },
    );
    expect(records.map((r) => r.timestamp)).toEqual(['5000', '5000']);
    expect(records.map((r) => r.offset)).toEqual(['10', '11']);
  });

  it('keeps a fetch’s records from the fetched offset on, comparing offsets of any length', () => {
    const messages = ['8', '9', '10', '11', '99', '100', '1000'].map((offset) => ({ offset }));
    const kept = (fetchedOffset: string) =>
      new Batch('t', fetchedOffset, { partition: 0, highWatermark: '1001', messages }).messages.map(
        (m) => m.offset,
      );
    expect(kept('10')).toEqual(['10', '11', '99', '100', '1000']);
    expect(kept('9')).toEqual(['9', '10', '11', '99', '100', '1000']);
    expect(kept('100')).toEqual(['100', '1000']);
    expect(kept('0')).toEqual(['8', '9', '10', '11', '99', '100', '1000']);
    expect(kept('1001')).toEqual([]);
    // Not a plain decimal: the Long comparison, as before.
    expect(kept('-1')).toEqual(['8', '9', '10', '11', '99', '100', '1000']);
  });
});
