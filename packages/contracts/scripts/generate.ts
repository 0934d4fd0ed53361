import { writeFileSync } from 'node:fs';
import { generateTypes, loadSchema, recordNames } from '@healstream/contracts';

const target = new URL('../src/generated/records.ts', import.meta.url);
writeFileSync(target, generateTypes(recordNames.map(loadSchema)));
console.log(`wrote ${target.pathname}`);
