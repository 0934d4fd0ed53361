import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The Avro schemas of every record healstream writes, read from the repo's schemas/ folder. */
export const schemaFiles = {
  MetricSample: 'metric-sample.avsc',
  ReliabilityEvent: 'reliability-event.avsc',
  Diagnosis: 'diagnosis.avsc',
  HealingCommand: 'healing-command.avsc',
  HealingDecision: 'healing-decision.avsc',
  HealingOutcome: 'healing-outcome.avsc',
  Escalation: 'escalation.avsc',
  ControlRecord: 'control.avsc',
} as const;

export type RecordName = keyof typeof schemaFiles;
export const recordNames = Object.keys(schemaFiles) as RecordName[];

export const schemasDir = fileURLToPath(new URL('../../../schemas/', import.meta.url));

export type AvroSchema = Record<string, unknown> & { name: string; type: 'record' };

const cache = new Map<RecordName, AvroSchema>();

export function loadSchema(name: RecordName): AvroSchema {
  let schema = cache.get(name);
  if (!schema) {
    schema = JSON.parse(readFileSync(schemasDir + schemaFiles[name], 'utf8')) as AvroSchema;
    cache.set(name, schema);
  }
  return schema;
}
