import type { z } from 'zod';
import { DEFAULT_ACTIONS, type ActionRegistry } from '../actions/registry.js';
import { ConfigError, type ConfigIssue } from '@healstream/contracts';
import { sortIssues } from '../zod-issues.js';
import { suggest } from '../suggest.js';
import {
  canonicalMetric,
  DEFAULT_ALIAS_TABLE,
  isKnownMetric,
  suggestMetric,
  type MetricAliasTable,
} from '../metrics/aliases.js';
import { parseYamlSource, type Path, type YamlSource } from '../yaml-source.js';
import { zodIssues } from '../zod-issues.js';
import {
  actionEntrySchema,
  anomalyConditionSchema,
  causeConditionSchema,
  forecastConditionSchema,
  metricConditionSchema,
  POLICY_FIELDS,
  policySchema,
} from './schema.js';
import type { Condition, Policy, PolicyAction } from './types.js';

export interface ParsePoliciesOptions {
  /** Actions a policy may name; built-ins by default, plus custom ones from components.yaml. */
  actions?: ActionRegistry;
  /** Metric names conditions may use besides the canonical ones (default: the default table). */
  aliases?: MetricAliasTable;
  /** Told about what is legal but likely wrong: a metric neither canonical nor an alias. */
  onWarning?: (issue: ConfigIssue) => void;
}

interface Ctx {
  source: YamlSource;
  issues: ConfigIssue[];
  actions: ActionRegistry;
  aliases: MetricAliasTable;
  onWarning: ((issue: ConfigIssue) => void) | undefined;
}

/** A condition's metric under its canonical name, the threshold in the canonical unit; warns on a name nobody knows. */
function canonicalCondition(ctx: Ctx, metric: string, path: Path, from: number) {
  const canonical = canonicalMetric(metric, ctx.aliases);
  if (!isKnownMetric(metric, ctx.aliases) && ctx.onWarning) {
    const suggestion = suggestMetric(metric, ctx.aliases);
    ctx.onWarning({
      file: ctx.source.file,
      ...ctx.source.locate(path),
      field: fieldOf(path, from),
      message: `metric '${metric}' is neither a canonical metric nor an alias (docs/metrics.md): no cause rule reads it and it matches only samples named exactly so`,
      suggestion,
    });
  }
  return canonical;
}

const CONDITION_KEYS = [
  'metric',
  'operator',
  'threshold',
  'cause',
  'min_confidence',
  'anomaly',
  'min_score',
  'forecast',
  'horizon_seconds',
  'op',
];

/** `conditions[0].metric`: the path below the policy, as messages name fields. */
function fieldOf(path: Path, from: number): string {
  return path
    .slice(from)
    .reduce<string>(
      (out, p) =>
        typeof p === 'number' ? `${out}[${p}]` : out === '' ? String(p) : `${out}.${String(p)}`,
      '',
    );
}

function issueAt(
  ctx: Ctx,
  path: Path,
  fieldFrom: number,
  message: string,
  suggestion?: string,
): void {
  ctx.issues.push({
    file: ctx.source.file,
    ...ctx.source.locate(path),
    field: fieldOf(path, fieldFrom),
    message,
    suggestion,
  });
}

function check<T>(
  ctx: Ctx,
  schema: z.ZodType<T>,
  value: unknown,
  path: Path,
  fieldFrom: number,
  keys: readonly string[],
): T | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  ctx.issues.push(...zodIssues(ctx.source, result.error, path, fieldFrom, () => keys));
  return undefined;
}

function parseCondition(ctx: Ctx, raw: unknown, path: Path, from: number): Condition | undefined {
  const obj =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw)
      ? (raw as Record<string, unknown>)
      : undefined;
  if (obj && 'metric' in obj) {
    const c = check(ctx, metricConditionSchema, raw, path, from, CONDITION_KEYS);
    if (!c) return undefined;
    const { metric, scale } = canonicalCondition(ctx, c.metric, [...path, 'metric'], from);
    return { kind: 'metric', metric, operator: c.operator, threshold: c.threshold * scale };
  }
  if (obj && 'cause' in obj) {
    const c = check(ctx, causeConditionSchema, raw, path, from, CONDITION_KEYS);
    return c && { kind: 'cause', cause: c.cause, minConfidence: c.min_confidence };
  }
  if (obj && 'anomaly' in obj) {
    const c = check(ctx, anomalyConditionSchema, raw, path, from, CONDITION_KEYS);
    if (!c) return undefined;
    const { metric } = canonicalCondition(ctx, c.anomaly, [...path, 'anomaly'], from);
    return { kind: 'anomaly', metric, minScore: c.min_score };
  }
  if (obj && 'forecast' in obj) {
    const c = check(ctx, forecastConditionSchema, raw, path, from, CONDITION_KEYS);
    if (!c) return undefined;
    const f = c.forecast;
    const { metric, scale } = canonicalCondition(
      ctx,
      f.metric,
      [...path, 'forecast', 'metric'],
      from,
    );
    return {
      kind: 'forecast',
      metric,
      horizonSeconds: f.horizon_seconds,
      operator: (f.operator ?? f.op) as NonNullable<typeof f.operator>,
      threshold: f.threshold * scale,
    };
  }
  issueAt(
    ctx,
    path,
    from,
    "a condition needs one of 'metric' (with operator and threshold), 'cause', 'anomaly' or 'forecast'",
  );
  return undefined;
}

function parseAction(ctx: Ctx, raw: unknown, path: Path, from: number): PolicyAction | undefined {
  const entry = check(ctx, actionEntrySchema, raw, path, from, ['name', 'params']);
  if (entry === undefined) return undefined;
  const name = typeof entry === 'string' ? entry : entry.name;
  const params = typeof entry === 'string' ? {} : entry.params;
  const spec = ctx.actions.get(name);
  if (!spec) {
    const namePath = typeof entry === 'string' ? path : [...path, 'name'];
    issueAt(
      ctx,
      namePath,
      from,
      `unknown action '${name}'`,
      suggest(name, [...ctx.actions.keys()]),
    );
    return undefined;
  }
  const parsed = check(ctx, spec.params, params, [...path, 'params'], from, Object.keys(params));
  if (parsed === undefined) return undefined;
  const rendered: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed))
    if (value !== undefined) rendered[key] = String(value);
  return { name, params: rendered };
}

function parsePolicy(ctx: Ctx, raw: unknown, path: Path): Policy | undefined {
  const from = path.length;
  const p = check(ctx, policySchema, raw, path, from, POLICY_FIELDS);
  // Conditions and actions are checked even when other fields are wrong: one pass, all problems.
  const rawConditions = (raw as { conditions?: unknown } | null)?.conditions;
  const rawActions = (raw as { actions?: unknown } | null)?.actions;
  const conditions = Array.isArray(rawConditions)
    ? rawConditions.map((c, i) => parseCondition(ctx, c, [...path, 'conditions', i], from))
    : [];
  const actions = Array.isArray(rawActions)
    ? rawActions.map((a, i) => parseAction(ctx, a, [...path, 'actions', i], from))
    : [];
  if (
    p === undefined ||
    conditions.some((c) => c === undefined) ||
    actions.some((a) => a === undefined)
  )
    return undefined;
  const components = p.selector?.components;
  return {
    name: p.name,
    description: p.description.trim(),
    reasoning: p.reasoning.trim(),
    selector: {
      components:
        components === undefined ? [] : Array.isArray(components) ? components : [components],
      labels: p.selector?.labels ?? {},
    },
    conditions: conditions as Condition[],
    actions: actions as PolicyAction[],
    priority: p.priority,
    cooldownSeconds: p.cooldown_seconds,
    maxPerHour: p.max_per_hour ?? null,
    enabled: p.enabled,
    mode: p.mode,
    forMs: p.for ?? 0,
    approval: p.approval ?? null,
    ...(p.runbook === undefined ? {} : { runbook: p.runbook }),
    source: { file: ctx.source.file, line: ctx.source.locate(path).line },
  };
}

/**
 * Parses one policy file: either a YAML list of policies or a mapping with a `policies:` list.
 * Collects every problem in the file and throws one ConfigError (code POLICY_INVALID) naming
 * file, line, column and field of each.
 */
export function parsePolicies(
  text: string,
  file: string,
  options: ParsePoliciesOptions = {},
): Policy[] {
  const source = parseYamlSource(text, file);
  if (source.syntaxIssues.length > 0)
    throw ConfigError.located('POLICY_INVALID', source.syntaxIssues);
  const ctx: Ctx = {
    source,
    issues: [],
    actions: options.actions ?? DEFAULT_ACTIONS,
    aliases: options.aliases ?? DEFAULT_ALIAS_TABLE,
    onWarning: options.onWarning,
  };
  const root = source.value;
  let list: unknown[] | undefined;
  let base: Path = [];
  if (Array.isArray(root)) list = root;
  else if (
    root !== null &&
    typeof root === 'object' &&
    Array.isArray((root as { policies?: unknown }).policies)
  ) {
    list = (root as { policies: unknown[] }).policies;
    base = ['policies'];
    const extra = Object.keys(root).filter((k) => k !== 'policies');
    for (const key of extra)
      ctx.issues.push({
        file,
        ...source.locate([], key),
        field: key,
        message: `unknown field '${key}'`,
      });
  } else if (root === null || root === undefined) {
    list = [];
    // Legal (a file kept for later), but a policy directory of such files never acts.
    options.onWarning?.({
      file,
      line: 1,
      column: 1,
      field: '',
      message: 'the file holds no policies (it is empty or only comments)',
    });
  }
  if (list === undefined) {
    throw ConfigError.located('POLICY_INVALID', [
      {
        file,
        line: 1,
        column: 1,
        field: '',
        message: "expected a list of policies (or a 'policies:' list)",
      },
    ]);
  }
  const policies: Policy[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw, i) => {
    const policy = parsePolicy(ctx, raw, [...base, i]);
    if (!policy) return;
    const first = seen.get(policy.name);
    if (first !== undefined) {
      issueAt(
        ctx,
        [...base, i, 'name'],
        base.length + 1,
        `duplicate policy name '${policy.name}' (first defined at ${file}:${first})`,
      );
      return;
    }
    seen.set(policy.name, policy.source.line);
    policies.push(policy);
  });
  if (ctx.issues.length > 0) throw ConfigError.located('POLICY_INVALID', sortIssues(ctx.issues));
  return policies;
}
