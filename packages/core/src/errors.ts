/** Error codes of the healing core. A consumer decides retry / dead-letter from `retriable`. */
export const CORE_ERROR_CODES = [
  'POLICY_INVALID',
  'POLICY_DUPLICATE',
  'COMPONENTS_INVALID',
  'UNKNOWN_ACTION',
  'UNKNOWN_COMPONENT',
  'ACTION_NOT_PERMITTED',
  'PARAMS_OUT_OF_BOUNDS',
  'STATE_INVALID',
  'INPUT_INVALID',
] as const;

export type CoreErrorCode = (typeof CORE_ERROR_CODES)[number];

export class CoreError extends Error {
  readonly code: CoreErrorCode;
  readonly retriable: boolean;

  constructor(
    code: CoreErrorCode,
    message: string,
    options: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'CoreError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** One problem in a configuration file, located for a person to fix. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Field path inside the item it belongs to, e.g. `actions[1]` or `conditions[0].operator`. */
  field: string;
  message: string;
  suggestion?: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const hint = issue.suggestion ? ` (did you mean '${issue.suggestion}'?)` : '';
  const field = issue.field ? `${issue.field}: ` : '';
  return `${issue.file}:${issue.line}:${issue.column}: ${field}${issue.message}${hint}`;
}

/** Configuration (policies, components) that cannot be loaded; never retriable. */
export class ConfigError extends CoreError {
  readonly issues: ConfigIssue[];

  constructor(code: CoreErrorCode, issues: ConfigIssue[]) {
    super(code, issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
}
