import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import type { ConfigIssue } from '@healstream/contracts';

export type Path = readonly PropertyKey[];

/** A parsed YAML file that can say where any path inside it was written. */
export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  value: unknown;
  syntaxIssues: ConfigIssue[];
  /** 1-based line and column of the node at `path`, or of its closest existing ancestor. */
  locate(path: Path, key?: string): { line: number; column: number };
}

export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  // Located from the error's offset: without prettyErrors the parser leaves linePos unset, and
  // every error would read as line 1. The parser may report one fault more than once.
  const seen = new Set<string>();
  const syntaxIssues: ConfigIssue[] = doc.errors.flatMap((error) => {
    const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    const message = error.message.split('\n')[0] ?? error.message;
    const issue = {
      file,
      line: pos.line,
      column: pos.col,
      field: '',
      message: `YAML syntax error: ${message}`,
    };
    const id = `${issue.line}:${issue.column}:${issue.message}`;
    if (seen.has(id)) return [];
    seen.add(id);
    return [issue];
  });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const locate = (path: Path, key?: string) => {
    let node: unknown = doc.contents;
    let best = node;
    for (const part of key === undefined ? path : [...path, key]) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isScalar(p.key) && String(p.key.value) === String(part),
        );
        // An unknown key is best reported at the key itself, a bad value at the value.
        next = pair && (part === key ? pair.key : (pair.value ?? pair.key));
      } else if (isSeq(node) && typeof part === 'number') {
        next = node.items[part];
        if (isPair(next)) next = next.value;
      }
      if (next === undefined || next === null) break;
      node = next;
      best = node;
    }
    const range = (best as Node | null | undefined)?.range;
    return range ? at(range[0]) : { line: 1, column: 1 };
  };
  return { file, doc, value: doc.errors.length > 0 ? undefined : doc.toJS(), syntaxIssues, locate };
}

/** `actions[1].params.replicas` from `['actions', 1, 'params', 'replicas']`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}
