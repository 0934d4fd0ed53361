import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_FILES, policyFileJsonSchema } from './json-schema.js';

const root = new URL('../../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

describe('the JSON Schemas of policy and components files', () => {
  it.each(Object.entries(JSON_SCHEMA_FILES))(
    '%s is what the zod schemas generate (run `pnpm generate:schemas` after changing them)',
    (file, generate) => {
      expect(JSON.parse(read(file))).toEqual(generate());
    },
  );

  it('describes conditions and actions in full, not as "anything"', () => {
    const policy = (policyFileJsonSchema()['items'] ?? {}) as {
      properties: Record<string, { items?: { anyOf?: { properties: object }[] } }>;
      required: string[];
    };
    const conditions = policy.properties['conditions']?.items?.anyOf ?? [];
    expect(conditions.map((c) => Object.keys(c.properties)[0])).toEqual([
      'metric',
      'cause',
      'anomaly',
      'forecast',
    ]);
    expect(policy.required).toEqual(['name', 'conditions', 'actions']);
  });

  it.each([
    ['policies/default.yaml', '../schemas/json/policies.schema.json'],
    ['policies/examples/by-cause.yaml', '../../schemas/json/policies.schema.json'],
    ['policies/demo/demo.yaml', '../../schemas/json/policies.schema.json'],
    ['components.yaml', 'schemas/json/components.schema.json'],
  ])('%s names its schema for editors', (file, schema) => {
    expect(read(file).split('\n')[0]).toBe(`# yaml-language-server: $schema=${schema}`);
  });
});
