import { writeFileSync } from 'node:fs';
import { JSON_SCHEMA_FILES } from '@healstream/core';

for (const [file, schema] of Object.entries(JSON_SCHEMA_FILES)) {
  const target = new URL(`../../../${file}`, import.meta.url);
  writeFileSync(target, `${JSON.stringify(schema(), null, 2)}\n`);
  console.log(`wrote ${file}`);
}
