import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateTypes } from './codegen.js';
import { loadSchema, recordNames } from './schemas.js';

describe('TypeScript types of the records', () => {
  it('are exactly what the Avro schemas generate (run `pnpm --filter @healstream/contracts generate` after changing a schema)', () => {
    const checkedIn = readFileSync(new URL('./generated/records.ts', import.meta.url), 'utf8');
    expect(checkedIn).toBe(generateTypes(recordNames.map(loadSchema)));
  });

  it('map Avro shapes to TypeScript', () => {
    const text = generateTypes([
      {
        type: 'record',
        name: 'R',
        fields: [
          { name: 'a', type: ['null', 'string'] },
          {
            name: 'b',
            type: { type: 'array', items: { type: 'enum', name: 'E', symbols: ['X', 'Y'] } },
          },
          { name: 'c', type: { type: 'map', values: 'double' } },
          { name: 'd', type: { type: 'long', logicalType: 'timestamp-millis' } },
        ],
      },
    ]);
    expect(text).toContain("export type E = 'X' | 'Y';");
    expect(text).toContain('a: null | string;');
    expect(text).toContain('b: E[];');
    expect(text).toContain('c: Record<string, number>;');
    expect(text).toContain('d: number;');
  });

  it('refuse one name with two shapes', () => {
    const e1 = { type: 'enum', name: 'E', symbols: ['X'] };
    const e2 = { type: 'enum', name: 'E', symbols: ['Y'] };
    expect(() =>
      generateTypes([
        {
          type: 'record',
          name: 'R',
          fields: [
            { name: 'a', type: e1 },
            { name: 'b', type: e2 },
          ],
        },
      ]),
    ).toThrow(/defined twice/);
  });
});
