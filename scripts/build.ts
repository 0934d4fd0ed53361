/**
 * Compiles what users run — the CLI, every service, the in-process benches — to plain JavaScript
 * in dist/, one bundle per entry point, so production and the benches start node on JavaScript
 * instead of loading a TypeScript transpiler at run time:
 *
 *   node scripts/build.ts             build now
 *   node scripts/build.ts --if-stale  build only when a source, the lockfile or this file changed
 *
 * Written for Node's own type stripping (no enums, no parameter properties, one file), so it
 * runs before anything is compiled. esbuild bundles the workspace packages and their
 * dependencies into each output: nothing is resolved from node_modules when a service starts,
 * which is what makes a compiled service start faster and smaller than one run through tsx.
 * A build takes about a second, so the launcher and `healstream start` run it when dist/ is
 * stale.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
/** Written last: its presence says every output of the build that wrote it is in place. */
const infoFile = join(dist, 'build-info.json');

const SERVICES = [
  'detector',
  'diagnoser',
  'policy-evaluator',
  'action-executor',
  'escalator',
  'ingest',
  'console',
];

/**
 * Entry point → output, every output (chunks too) two levels under the repository root
 * (dist/<group>/), so one relative path from any output reaches a source file (see sourceUrls).
 */
const ALL_ENTRIES: Record<string, string> = {
  ...Object.fromEntries(SERVICES.map((s) => [`services/${s}/src/main.ts`, `services/${s}.js`])),
  'packages/cli/src/main.ts': 'cli/main.js',
  // The demo fleet's member program, which the supervisor starts again on every restart.
  'packages/fleet/src/member/main.ts': 'fleet/member.js',
  'bench/pipeline.ts': 'bench/pipeline.js',
};
/** Those whose source is here: the image, for one, holds no bench/. */
const ENTRIES = Object.fromEntries(
  Object.entries(ALL_ENTRIES).filter(([input]) => existsSync(join(root, input))),
);

/**
 * Keeps `import.meta.url` meaning the module's source file, as it does when the sources run:
 * the schemas, the console's assets and the repository root are found relative to it. The path
 * is relative to the output's folder, so a checkout (or an image) can move.
 */
const sourceUrls: Plugin = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromOutput = relative(join(dist, 'group'), args.path);
      const url = `new URL(${JSON.stringify(fromOutput)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

interface BuildInfo {
  builtAt: number;
  inputs: string[];
}

/** Everything a build read, besides the sources esbuild reports: a change to one means rebuild. */
const alwaysInputs = ['pnpm-lock.yaml', 'scripts/build.ts'];

export function isStale(): boolean {
  if (!existsSync(infoFile)) return true;
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as BuildInfo;
  const outputs = Object.values(ENTRIES).map((o) => join(dist, o));
  if (outputs.some((o) => !existsSync(o))) return true;
  if (Object.keys(ENTRIES).some((e) => !info.inputs.includes(e))) return true;
  for (const input of info.inputs) {
    const path = join(root, input);
    // A deleted input means an import changed: the next build reads the new graph.
    if (!existsSync(path) || statSync(path).mtimeMs > info.builtAt) return true;
  }
  return false;
}

/**
 * Chunks are named by content hash, so each build adds its own. Those no current bundle imports
 * go once they are an hour old: a service started from the previous build just before this one
 * finished may still be loading them.
 */
function removeOldChunks(current: Set<string>): void {
  const chunks = join(dist, 'chunks');
  for (const name of existsSync(chunks) ? readdirSync(chunks) : []) {
    const path = join(chunks, name);
    if (!current.has(name) && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path);
  }
}

export async function compile(): Promise<{ ms: number; outputs: number }> {
  const started = Date.now();
  // Built beside dist/ and moved in file by file: a service starting during a build reads either
  // the old bundle or the new one, never half of one.
  const staging = join(root, `.dist-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    // Loaded only to build: the launcher runs this file on every command to check freshness.
    const { build } = await import('esbuild');
    const result = await build({
      absWorkingDir: root,
      entryPoints: Object.entries(ENTRIES).map(([input, output]) => ({
        in: input,
        out: output.replace(/\.js$/, ''),
      })),
      outdir: staging,
      bundle: true,
      // What the entry points share (the workspace packages, kafkajs, zod, ...) is written once,
      // as chunks beside them: a third of the build time and a fifth of the disk of one whole
      // bundle per entry.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      platform: 'node',
      format: 'esm',
      target: 'node24',
      // kafkajs, avsc and pino are CommonJS and require() node's own modules: give the ESM
      // bundle a require of its own for them.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
      // V8 keeps each loaded script's source text in the heap: without the whitespace the
      // bundles are a third smaller there. Names stay, so stack traces and CPU profiles read as
      // the sources do, and the maps lead back to them (node --enable-source-maps).
      minifyWhitespace: true,
      minifySyntax: true,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
      plugins: [sourceUrls],
    });
    mkdirSync(dist, { recursive: true });
    rmSync(infoFile, { force: true });
    for (const output of Object.keys(result.metafile.outputs)) {
      const target = join(dist, relative(staging, join(root, output)));
      mkdirSync(dirname(target), { recursive: true });
      renameSync(join(root, output), target);
    }
    removeOldChunks(new Set(Object.keys(result.metafile.outputs).map((o) => basename(o))));
    const inputs = [...Object.keys(result.metafile.inputs), ...alwaysInputs].filter(
      (i) => !i.includes('node_modules/'),
    );
    const info: BuildInfo = { builtAt: started, inputs };
    writeFileSync(infoFile, JSON.stringify(info, null, 1) + '\n');
    return { ms: Date.now() - started, outputs: Object.keys(ENTRIES).length };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ifStale = process.argv.includes('--if-stale');
  if (!ifStale || isStale()) {
    const { ms, outputs } = await compile();
    process.stderr.write(`build: ${outputs} bundles in dist/ (${ms} ms)\n`);
  }
}
