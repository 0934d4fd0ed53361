import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { examples } from './examples.js';
import { loadSchema, type RecordName } from './schemas.js';

/** The schema as it was before `forecasts`: the field removed. */
function withoutForecasts(name: RecordName): avro.Type {
  const schema = structuredClone(loadSchema(name));
  const fields = schema['fields'] as { name: string }[];
  schema['fields'] = fields.filter((f) => f.name !== 'forecasts');
  return avro.Type.forSchema(schema as avro.Schema);
}

describe('forecasts on ReliabilityEvent and Diagnosis', () => {
  const forecast = {
    metric: 'cpu_util',
    horizonSeconds: 300,
    value: 0.95,
    lower: 0.92,
    upper: 0.98,
  };

  it.each(['ReliabilityEvent', 'Diagnosis'] as const)(
    '%s: old records read as no forecasts, new ones read by old readers without them',
    (name) => {
      const current = avro.Type.forSchema(loadSchema(name) as avro.Schema);
      const old = withoutForecasts(name);
      const record = { ...examples[name], forecasts: [forecast] };

      const fromOld = current.fromBuffer(
        old.toBuffer({ ...examples[name] }),
        current.createResolver(old),
      ) as { forecasts: unknown[] };
      expect(fromOld.forecasts).toEqual([]);

      const byOld = old.fromBuffer(current.toBuffer(record), old.createResolver(current)) as Record<
        string,
        unknown
      >;
      expect(byOld['forecasts']).toBeUndefined();
      expect(byOld['incidentId']).toBe(examples[name].incidentId);

      expect((current.fromBuffer(current.toBuffer(record)) as typeof record).forecasts).toEqual([
        forecast,
      ]);
    },
  );
});
