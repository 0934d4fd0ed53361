import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { CostMatrix, WindowLimits } from './nab-sweep.js';

/** One NAB data file: `path` is `<group>/<name>.csv` relative to the data folder. */
export interface NabSeries {
  readonly path: string;
  readonly timestamps: number[];
  readonly values: number[];
}

const STAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/;

/** NAB timestamps (`2015-02-26 21:42:53`, windows with `.000000`) as UTC milliseconds. */
export function parseNabTimestamp(text: string): number {
  const m = STAMP.exec(text.trim());
  if (!m) throw new Error(`not a NAB timestamp: '${text}'`);
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
}

/** `2015-02-26 21:42:53`, the layout NAB's own files use. */
export function formatNabTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Every `.csv` under `dir`, as sorted `/`-separated paths relative to it. */
export async function listCsvFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.csv') && !e.name.startsWith('.'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** Reads the named columns of a headed CSV (NAB's files have no quoting). */
async function readColumns(file: string, names: readonly string[]): Promise<string[][]> {
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  const indices = names.map((n) => {
    const i = header.indexOf(n);
    if (i < 0) throw new Error(`${file}: no '${n}' column`);
    return i;
  });
  const columns = names.map(() => new Array<string>(lines.length - 1));
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r]!.split(',');
    indices.forEach((c, k) => (columns[k]![r - 1] = cells[c] ?? ''));
  }
  return columns;
}

export async function readNabSeries(dataDir: string, path: string): Promise<NabSeries> {
  const [stamps, values] = await readColumns(join(dataDir, path), ['timestamp', 'value']);
  return { path, timestamps: stamps!.map(parseNabTimestamp), values: values!.map(Number) };
}

/** combined_windows.json: `<group>/<name>.csv` → its windows in time order. */
export async function readWindows(file: string): Promise<Map<string, WindowLimits[]>> {
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, [string, string][]>;
  const out = new Map<string, WindowLimits[]>();
  for (const [path, windows] of Object.entries(json)) {
    const limits = windows.map(([a, b]): WindowLimits => [
      parseNabTimestamp(a),
      parseNabTimestamp(b),
    ]);
    out.set(
      path,
      limits.sort((x, y) => x[0] - y[0]),
    );
  }
  return out;
}

/** profiles.json: profile name → cost matrix. */
export async function readProfiles(file: string): Promise<Record<string, CostMatrix>> {
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<
    string,
    { CostMatrix: CostMatrix }
  >;
  return Object.fromEntries(Object.entries(json).map(([name, p]) => [name, p.CostMatrix]));
}

/** NAB's results layout: `<results>/<detector>/<group>/<detector>_<name>.csv`. */
export function resultsFilePath(resultsDir: string, detector: string, path: string): string {
  const slash = path.lastIndexOf('/');
  return join(
    resultsDir,
    detector,
    path.slice(0, slash + 1) + `${detector}_` + path.slice(slash + 1),
  );
}

/** A detector's per-row anomaly scores for one data file, read from NAB's results layout. */
export async function readResultScores(
  resultsDir: string,
  detector: string,
  path: string,
): Promise<number[]> {
  const [scores] = await readColumns(resultsFilePath(resultsDir, detector, path), [
    'anomaly_score',
  ]);
  return scores!.map(Number);
}

/** Writes one results file with NAB's columns: timestamp,value,anomaly_score,label. */
export async function writeResultFile(
  resultsDir: string,
  detector: string,
  series: NabSeries,
  scores: readonly number[],
  windows: readonly WindowLimits[],
): Promise<string> {
  const file = resultsFilePath(resultsDir, detector, series.path);
  const lines = ['timestamp,value,anomaly_score,label'];
  series.timestamps.forEach((t, i) => {
    const label = windows.some(([a, b]) => t >= a && t <= b) ? 1 : 0;
    lines.push(`${formatNabTimestamp(t)},${series.values[i]},${scores[i]},${label}`);
  });
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}
