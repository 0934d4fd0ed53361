/**
 * What a V8 heap snapshot holds, grouped by constructor the way DevTools' Summary view groups it
 * (objects by constructor name; strings, arrays, compiled code and closures by kind), largest
 * self size first:
 *
 *   node scripts/heap-summary.ts FILE.heapsnapshot [--top 15]
 *
 * Snapshots come from `pnpm bench:memory --heap-snapshot DIR` (or any node started with
 * --heapsnapshot-signal). Written for Node's type stripping so it needs no build.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '15' } },
});
const file = positionals[0];
if (!file) throw new Error('usage: node scripts/heap-summary.ts FILE.heapsnapshot [--top 15]');

const heap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const fields = heap.snapshot.meta.node_fields;
const kinds = heap.snapshot.meta.node_types[0];
const width = fields.length;
const typeAt = fields.indexOf('type');
const nameAt = fields.indexOf('name');
const sizeAt = fields.indexOf('self_size');

const groups = new Map<string, { count: number; bytes: number }>();
let total = 0;
for (let i = 0; i < heap.nodes.length; i += width) {
  const kind = kinds[heap.nodes[i + typeAt] as number] as string;
  const bytes = heap.nodes[i + sizeAt] as number;
  // Objects and native objects by their constructor; everything else by its kind.
  const key =
    kind === 'object' || kind === 'native'
      ? `${kind === 'native' ? 'native ' : ''}${heap.strings[heap.nodes[i + nameAt] as number]}`
      : `(${kind})`;
  const group = groups.get(key) ?? { count: 0, bytes: 0 };
  group.count++;
  group.bytes += bytes;
  groups.set(key, group);
  total += bytes;
}

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
console.log(`${file}: ${mib(total)} MiB in ${heap.nodes.length / width} nodes`);
for (const [key, g] of [...groups]
  .sort((a, b) => b[1].bytes - a[1].bytes)
  .slice(0, Number(values.top)))
  console.log(
    `${mib(g.bytes).padStart(7)} MiB ${((100 * g.bytes) / total).toFixed(1).padStart(5)}% ${String(g.count).padStart(8)}  ${key.slice(0, 80)}`,
  );
