/**
 * The frames a V8 CPU profile spent most of its own time in (self time), as a table:
 *
 *   node scripts/profile-top.ts FILE.cpuprofile [--top 10]
 *
 * or, given a sampling allocation profile (`FILE.heapprofile`, from `pnpm bench --heap-profile`),
 * the frames that allocated the most bytes themselves, and per sample when the profile says how
 * many samples its window handled (`samplesInWindow`).
 *
 * Profiles come from `node --cpu-prof` (for the pipeline bench: docs/performance.md). A frame is
 * a function at its source position; `(garbage collector)`, `(program)` and `(idle)` are V8's
 * own. Written for Node's type stripping so it needs no build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
/** V8's sampling heap profile: a call tree whose nodes carry the bytes allocated in them. */
interface HeapNode extends ProfileNode {
  selfSize: number;
  children: HeapNode[];
}
interface HeapProfile {
  head: HeapNode;
  samplesInWindow?: number;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '10' } },
});
const file = positionals[0];
if (!file) throw new Error('usage: node scripts/profile-top.ts FILE.cpuprofile [--top 10]');

const parsed = JSON.parse(readFileSync(file, 'utf8')) as Profile | HeapProfile;
const heap = 'head' in parsed ? parsed : undefined;
const heapNodes: HeapNode[] = [];
if (heap) {
  const stack = [heap.head];
  for (let n = stack.pop(); n; n = stack.pop()) {
    heapNodes.push(n);
    stack.push(...n.children);
  }
}
const profile: Profile = heap
  ? { nodes: heapNodes, samples: [], timeDeltas: [] }
  : (parsed as Profile);

/** A bundle's source map (dist/ has one beside each file), to name frames by their sources. */
const maps = new Map<string, SourceMap | undefined>();
function mapOf(url: string): SourceMap | undefined {
  if (!maps.has(url)) {
    const path = url.startsWith('file:') ? `${fileURLToPath(url)}.map` : '';
    maps.set(
      url,
      path && existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, 'utf8'))) : undefined,
    );
  }
  return maps.get(url);
}

const frameOf = new Map<number, string>();
for (const node of profile.nodes) {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  // findEntry answers {} where the map has nothing for the position.
  const entry = (url ? mapOf(url)?.findEntry(lineNumber, columnNumber) : undefined) as
    Partial<{ originalSource: string; originalLine: number }> | undefined;
  const at =
    entry?.originalSource !== undefined && entry.originalLine !== undefined
      ? `${entry.originalSource}:${entry.originalLine + 1}`
      : `${url}:${lineNumber + 1}`;
  // Paths from the repository (or node_modules) on, which is what tells sources apart.
  const where = at.replace(/^.*?\/(node_modules|packages|services|bench|dist)\//, '$1/');
  frameOf.set(
    node.id,
    url ? `${functionName || '(anonymous)'} ${where}` : functionName || '(native, unnamed)',
  );
}
if (heap) {
  const selfBytes = new Map<string, number>();
  let bytes = 0;
  for (const node of heapNodes) {
    const frame = frameOf.get(node.id) ?? '?';
    selfBytes.set(frame, (selfBytes.get(frame) ?? 0) + node.selfSize);
    bytes += node.selfSize;
  }
  const per = heap.samplesInWindow;
  console.log(
    `${file}: ${(bytes / 2 ** 20).toFixed(0)} MiB allocated (sampled)` +
      (per ? `, ${(bytes / per).toFixed(0)} B per sample over ${per}` : ''),
  );
  for (const [frame, b] of [...selfBytes].sort((a, c) => c[1] - a[1]).slice(0, Number(values.top)))
    console.log(
      `${(b / 2 ** 20).toFixed(1).padStart(8)} MiB ${((100 * b) / bytes).toFixed(1).padStart(5)}%` +
        `${per ? `${(b / per).toFixed(0).padStart(7)} B` : ''}  ${frame}`,
    );
  process.exit(0);
}
const selfUs = new Map<string, number>();
let total = 0;
for (const [i, id] of profile.samples.entries()) {
  const dt = profile.timeDeltas[i] ?? 0;
  const frame = frameOf.get(id) ?? '?';
  selfUs.set(frame, (selfUs.get(frame) ?? 0) + dt);
  total += dt;
}
const idle = selfUs.get('(idle)') ?? 0;
console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((total - idle) / 1e6).toFixed(1)} s busy`,
);
for (const [frame, us] of [...selfUs]
  .filter(([f]) => f !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(values.top)))
  console.log(
    `${(us / 1e3).toFixed(0).padStart(8)} ms ${((100 * us) / (total - idle)).toFixed(1).padStart(5)}%  ${frame}`,
  );
