import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createActionRegistry, type ActionRegistry } from '../actions/registry.js';
import { ConfigError, type ConfigIssue } from '@healstream/contracts';
import { sortIssues } from '../zod-issues.js';
import { suggest } from '../suggest.js';
import { parseYamlSource } from '../yaml-source.js';
import { zodIssues } from '../zod-issues.js';
import type { ApprovalRule } from '../policy/types.js';
import { COMPONENT_FIELDS, componentsFileSchema, type ExecutorKind } from './schema.js';

export interface Component {
  id: string;
  executor: ExecutorKind;
  target: string;
  description: string;
  allowedActions: string[];
  healthCheck: { url: string; expectedStatus: number; timeoutMs: number } | null;
  oncall: { team: string; route: string } | null;
  labels: Record<string, string>;
  bounds: { maxReplicas: number | null; minReplicas: number | null };
  options: Record<string, unknown>;
  /** Every command on this component waits for approval (absent on registries built before it). */
  approval?: ApprovalRule | null;
  sampleIntervalMs: number | null;
  runbook: string | null;
}

/** The fleet: components by id, and every action (built-in and custom) they may use. */
export interface ComponentRegistry {
  components: ReadonlyMap<string, Component>;
  actions: ActionRegistry;
}

/** Parses components.yaml; throws ConfigError (COMPONENTS_INVALID) with located issues. */
export function parseComponents(text: string, file: string): ComponentRegistry {
  const source = parseYamlSource(text, file);
  if (source.syntaxIssues.length > 0)
    throw ConfigError.located('COMPONENTS_INVALID', source.syntaxIssues);
  const result = componentsFileSchema.safeParse(source.value);
  if (!result.success) {
    const issues = zodIssues(source, result.error, [], 0, (path) =>
      path.length === 2 && path[0] === 'components' ? COMPONENT_FIELDS : ['actions', 'components'],
    );
    throw ConfigError.located('COMPONENTS_INVALID', sortIssues(issues));
  }
  const actions = createActionRegistry(result.data.actions);
  const issues: ConfigIssue[] = [];
  const components = new Map<string, Component>();
  for (const [id, c] of Object.entries(result.data.components)) {
    c.allowed_actions.forEach((name, i) => {
      if (actions.has(name)) return;
      const path = ['components', id, 'allowed_actions', i];
      issues.push({
        file,
        ...source.locate(path),
        field: `components.${id}.allowed_actions[${i}]`,
        message: `unknown action '${name}'`,
        suggestion: suggest(name, [...actions.keys()]),
      });
    });
    components.set(id, {
      id,
      executor: c.executor,
      target: c.target,
      description: c.description,
      allowedActions: c.allowed_actions,
      healthCheck: c.health_check
        ? {
            url: c.health_check.url,
            expectedStatus: c.health_check.expected_status,
            timeoutMs: c.health_check.timeout_ms,
          }
        : null,
      oncall: c.oncall ?? null,
      labels: c.labels,
      bounds: {
        maxReplicas: c.bounds.max_replicas ?? null,
        minReplicas: c.bounds.min_replicas ?? null,
      },
      options: c.options,
      approval: c.approval ?? null,
      sampleIntervalMs: c.sample_interval_ms ?? null,
      runbook: c.runbook ?? null,
    });
  }
  if (issues.length > 0) throw ConfigError.located('COMPONENTS_INVALID', sortIssues(issues));
  return { components, actions };
}

/** Reads components.yaml; a relative `file` is read from `baseDir` and reported as given. */
export function loadComponents(file: string, baseDir?: string): ComponentRegistry {
  return parseComponents(
    readFileSync(baseDir && !isAbsolute(file) ? resolve(baseDir, file) : file, 'utf8'),
    file,
  );
}
