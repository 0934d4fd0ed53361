/**
 * Turns the Avro schemas into TypeScript types, so the types can never drift from the schemas:
 * `pnpm --filter @healstream/contracts generate` writes src/generated/records.ts and a test
 * fails when the checked-in file differs from what this produces.
 * Covers the Avro this project uses: records, enums, arrays, maps, ["null", T] unions,
 * primitives and timestamp-millis (epoch milliseconds as a number).
 */
type Avro = string | AvroObject | Avro[];
interface AvroObject {
  type: Avro;
  name?: string;
  namespace?: string;
  fields?: { name: string; type: Avro; doc?: string }[];
  symbols?: string[];
  items?: Avro;
  values?: Avro;
  doc?: string;
  logicalType?: string;
}

const primitives: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  string: 'string',
  bytes: 'Buffer',
};

export function generateTypes(schemas: readonly unknown[]): string {
  const declarations = new Map<string, string>();

  const declare = (name: string, text: string): void => {
    const existing = declarations.get(name);
    if (existing !== undefined && existing !== text) {
      throw new Error(`Avro type ${name} is defined twice with different shapes`);
    }
    declarations.set(name, text);
  };

  const typeOf = (avro: Avro): string => {
    if (typeof avro === 'string') {
      const primitive = primitives[avro];
      if (primitive) return primitive;
      return avro.split('.').pop() as string; // a named type defined earlier
    }
    if (Array.isArray(avro)) return avro.map(typeOf).join(' | ');
    if (typeof avro.type === 'string' && avro.type in primitives)
      return primitives[avro.type] as string;
    switch (avro.type) {
      case 'array':
        return `${wrap(typeOf(avro.items as Avro))}[]`;
      case 'map':
        return `Record<string, ${typeOf(avro.values as Avro)}>`;
      case 'enum': {
        const name = avro.name as string;
        declare(
          name,
          `export type ${name} = ${(avro.symbols ?? []).map((s) => `'${s}'`).join(' | ')};`,
        );
        return name;
      }
      case 'record': {
        const name = avro.name as string;
        const fields = (avro.fields ?? []).map((field) => {
          const doc = field.doc ? `  /** ${field.doc} */\n` : '';
          return `${doc}  ${field.name}: ${typeOf(field.type)};`;
        });
        const doc = avro.doc ? `/** ${avro.doc} */\n` : '';
        declare(name, `${doc}export interface ${name} {\n${fields.join('\n')}\n}`);
        return name;
      }
      default:
        return typeOf(avro.type);
    }
  };

  for (const schema of schemas) typeOf(schema as Avro);
  const header =
    '// Generated from schemas/*.avsc by packages/contracts/scripts/generate.ts. Do not edit.\n';
  return header + '\n' + [...declarations.values()].join('\n\n') + '\n';
}

function wrap(type: string): string {
  return type.includes(' ') ? `(${type})` : type;
}
