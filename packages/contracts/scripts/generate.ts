import { writeFileSync } from 'node:fs';
import { generateTypes } from '../src/codegen.js';
import { loadSchema, recordNames } from '../src/schemas.js';

const target = new URL('../src/generated/records.ts', import.meta.url);
writeFileSync(target, generateTypes(recordNames.map(loadSchema)));
console.log(`wrote ${target.pathname}`);
