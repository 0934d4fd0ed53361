import type { MetricType } from './classify.js';

/** One sample line of the Prometheus text exposition format. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

const TYPE =
  /^#\s*TYPE\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(counter|gauge|histogram|summary|untyped)\s*$/;
const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(raw: string): number {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(raw);
}

/**
 * Parses Prometheus text exposition (format 0.0.4): comments and blank lines are skipped; a
 * line that does not parse is reported with its number rather than guessed at.
 */
export function parsePrometheusText(text: string): {
  samples: PromSample[];
  errors: string[];
  /** Families' declared types, from `# TYPE` lines. */
  types: Map<string, MetricType>;
} {
  const samples: PromSample[] = [];
  const errors: string[] = [];
  const types = new Map<string, MetricType>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const type = TYPE.exec(line);
    if (type) types.set(type[1] as string, type[2] as MetricType);
    if (line === '' || line.startsWith('#')) return;
    const match = LINE.exec(line);
    if (!match) {
      errors.push(`line ${i + 1}: not a sample: ${line.slice(0, 120)}`);
      return;
    }
    const [, name, labelText, value, timestamp] = match;
    const labels: Record<string, string> = {};
    if (labelText) {
      LABEL.lastIndex = 0;
      let consumed = 0;
      let m: RegExpExecArray | null;
      while ((m = LABEL.exec(labelText)) !== null) {
        labels[m[1] as string] = unescape(m[2] as string);
        consumed = LABEL.lastIndex;
      }
      if (consumed !== labelText.length) {
        errors.push(`line ${i + 1}: bad labels: {${labelText.slice(0, 120)}}`);
        return;
      }
    }
    const parsed = parseValue(value as string);
    if (Number.isNaN(parsed) && value !== 'NaN') {
      errors.push(`line ${i + 1}: bad value '${value}'`);
      return;
    }
    samples.push({
      name: name as string,
      labels,
      value: parsed,
      ...(timestamp ? { timestamp: Number(timestamp) } : {}),
    });
  });
  return { samples, errors, types };
}
