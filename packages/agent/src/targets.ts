import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '@healstream/contracts';
import { parseYamlSource, sortIssues, zodIssues } from '@healstream/core';
import type { RatioRule } from './tracker-types.js';

const metricName = z
  .string()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'is not a Prometheus metric name');

const regex = z.string().refine((source) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}, 'is not a valid regular expression');

const counterSelector = z.strictObject({
  /** The counter, with or without `_total`. */
  counter: metricName,
  /** Label → regular expression, anchored like PromQL's `=~` (`code: '5..'`). */
  match: z.record(z.string(), regex).default({}),
});

export const TARGET_FIELDS = ['component', 'url'] as const;
export const TARGETS_FILE_FIELDS = [
  'interval_seconds',
  'timeout_seconds',
  'quantiles',
  'targets',
  'ratios',
] as const;

/** The agent's targets file: what to scrape, how often, and which ratios to derive. */
export const targetsFileSchema = z.strictObject({
  interval_seconds: z.number().min(0.1).max(3600).default(15),
  /** Default: 10 s, or the interval when that is shorter. */
  timeout_seconds: z.number().min(0.1).max(300).optional(),
  quantiles: z.array(z.number().min(0).max(1)).min(1).default([0.5, 0.9, 0.99]),
  targets: z
    .array(
      z.strictObject({
        /** The component id its samples carry, as components.yaml and policies name it. */
        component: z.string().min(1),
        url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
      }),
    )
    .min(1),
  ratios: z
    .array(
      z.strictObject({
        name: metricName,
        numerator: counterSelector,
        denominator: counterSelector,
      }),
    )
    .default([]),
});

export interface AgentSettings {
  intervalMs: number;
  timeoutMs: number;
  quantiles: number[];
  targets: { component: string; url: string }[];
  ratios: RatioRule[];
}

const anchored = (match: Record<string, string>) =>
  Object.fromEntries(Object.entries(match).map(([k, v]) => [k, new RegExp(`^(?:${v})$`)]));

/** Parses a targets file; a problem throws ConfigError naming file:line:col and the field. */
export function parseTargets(text: string, file: string): AgentSettings {
  const source = parseYamlSource(text, file);
  if (source.syntaxIssues.length > 0)
    throw ConfigError.located('CONFIG_INVALID', source.syntaxIssues);
  const result = targetsFileSchema.safeParse(source.value);
  if (!result.success) {
    const issues = zodIssues(source, result.error, [], 0, (path) =>
      path.length === 2 && path[0] === 'targets'
        ? TARGET_FIELDS
        : path.length === 0
          ? TARGETS_FILE_FIELDS
          : [],
    );
    throw ConfigError.located('CONFIG_INVALID', sortIssues(issues));
  }
  const data = result.data;
  const issues: ConfigIssue[] = [];
  const at = (path: (string | number)[], field: string, message: string) =>
    issues.push({ file, ...source.locate(path), field, message });
  const first = new Map<string, number>();
  data.targets.forEach((t, i) => {
    const earlier = first.get(t.component);
    if (earlier !== undefined)
      at(
        ['targets', i, 'component'],
        `targets[${i}].component`,
        `'${t.component}' is scraped by targets[${earlier}] already (one page per component)`,
      );
    else first.set(t.component, i);
  });
  const timeout = data.timeout_seconds ?? Math.min(10, data.interval_seconds);
  if (timeout > data.interval_seconds)
    at(
      ['timeout_seconds'],
      'timeout_seconds',
      `${timeout} is longer than interval_seconds (${data.interval_seconds})`,
    );
  if (issues.length > 0) throw ConfigError.located('CONFIG_INVALID', sortIssues(issues));
  return {
    intervalMs: Math.round(data.interval_seconds * 1000),
    timeoutMs: Math.round(timeout * 1000),
    quantiles: data.quantiles,
    targets: data.targets,
    ratios: data.ratios.map((r) => ({
      name: r.name,
      numerator: { counter: r.numerator.counter, match: anchored(r.numerator.match) },
      denominator: { counter: r.denominator.counter, match: anchored(r.denominator.match) },
    })),
  };
}

export function loadTargets(file: string): AgentSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw ConfigError.located('CONFIG_INVALID', [
      {
        file,
        line: 1,
        column: 1,
        field: '',
        message: `cannot read the targets file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      },
    ]);
  }
  return parseTargets(text, file);
}
