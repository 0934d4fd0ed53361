import protobuf from 'protobufjs/minimal.js';
import snappy from 'snappyjs';
import type { MetricType } from '@healstream/agent';
import { BadRequestError } from './bad-request.js';

/** prometheus.TimeSeries of remote_write 1.0 (prompb/types.proto), the parts healstream reads. */
export interface TimeSeries {
  labels: Record<string, string>;
  samples: { value: number; timestamp: number }[];
}

export interface WriteRequest {
  timeseries: TimeSeries[];
  /** metric_family_name → type, from MetricMetadata (sent every minute by default). */
  metadata: Map<string, MetricType>;
}

// prompb MetricMetadata.MetricType; gauge histograms, info and state sets read as gauges.
const METADATA_TYPES: Record<number, MetricType> = {
  0: 'untyped',
  1: 'counter',
  2: 'gauge',
  3: 'histogram',
  4: 'gauge',
  5: 'summary',
  6: 'gauge',
  7: 'gauge',
};

type Reader = protobuf.Reader;

// int64 comes as a Long when long.js is installed (it is, with protobufjs), else as a number.
const toNumber = (v: unknown) =>
  typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();

/** Reads a length-delimited sub-message with `field` called for each of its fields. */
function message(r: Reader, field: (tag: number, wire: number) => boolean): void {
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const key = r.uint32();
    if (!field(key >>> 3, key & 7)) r.skipType(key & 7);
  }
}

function readLabel(r: Reader, into: Record<string, string>): void {
  let name = '';
  let value = '';
  message(r, (tag, wire) => {
    if (tag === 1 && wire === 2) name = r.string();
    else if (tag === 2 && wire === 2) value = r.string();
    else return false;
    return true;
  });
  into[name] = value;
}

function readSample(r: Reader): { value: number; timestamp: number } {
  let value = 0;
  let timestamp = 0;
  message(r, (tag, wire) => {
    if (tag === 1 && wire === 1) value = r.double();
    else if (tag === 2 && wire === 0) timestamp = toNumber(r.int64());
    else return false;
    return true;
  });
  return { value, timestamp };
}

function readSeries(r: Reader): TimeSeries {
  const series: TimeSeries = { labels: {}, samples: [] };
  message(r, (tag, wire) => {
    if (tag === 1 && wire === 2) readLabel(r, series.labels);
    else if (tag === 2 && wire === 2) series.samples.push(readSample(r));
    else return false; // exemplars, native histograms: not read
    return true;
  });
  return series;
}

function readMetadata(r: Reader, into: Map<string, MetricType>): void {
  let type = 0;
  let family = '';
  message(r, (tag, wire) => {
    if (tag === 1 && wire === 0) type = r.uint32();
    else if (tag === 2 && wire === 2) family = r.string();
    else return false;
    return true;
  });
  if (family) into.set(family, METADATA_TYPES[type] ?? 'untyped');
}

/**
 * Decodes a Prometheus remote_write 1.0 body: snappy block format around a protobuf
 * prometheus.WriteRequest. Anything that is not that is a BadRequestError saying what it is.
 */
export function decodeWriteRequest(body: Uint8Array, maxBytes: number): WriteRequest {
  if (body.length === 0)
    throw new BadRequestError('empty body: expected a snappy-compressed WriteRequest');
  let raw: Uint8Array;
  try {
    raw = snappy.uncompress(body, maxBytes);
  } catch (error) {
    throw new BadRequestError(
      `body is not snappy-compressed (block format): ${(error as Error).message}`,
      error,
    );
  }
  const request: WriteRequest = { timeseries: [], metadata: new Map() };
  const r = protobuf.Reader.create(raw);
  try {
    while (r.pos < r.len) {
      const key = r.uint32();
      const tag = key >>> 3;
      const wire = key & 7;
      if (tag === 1 && wire === 2) request.timeseries.push(readSeries(r));
      else if (tag === 3 && wire === 2) readMetadata(r, request.metadata);
      else r.skipType(wire);
    }
  } catch (error) {
    throw new BadRequestError(
      `body is not a protobuf prometheus.WriteRequest: ${(error as Error).message}`,
      error,
    );
  }
  for (const [i, s] of request.timeseries.entries()) {
    if (!s.labels['__name__']) throw new BadRequestError(`timeseries[${i}] has no __name__ label`);
    for (const sample of s.samples)
      if (!Number.isSafeInteger(sample.timestamp) || sample.timestamp <= 0)
        throw new BadRequestError(
          `timeseries[${i}] (${s.labels['__name__']}) has a sample with timestamp ${sample.timestamp}, not epoch ms`,
        );
  }
  return request;
}
