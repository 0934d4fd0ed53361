export const OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne'] as const;
export type Operator = (typeof OPERATORS)[number];

/**
 * Comparison symbols people write for an operator (Prometheus, SQL, most languages), by meaning:
 * spelling distance would offer `gt` for `<` and for `=>`.
 */
export const OPERATOR_SYMBOLS: Readonly<Record<string, Operator>> = {
  '>': 'gt',
  '>=': 'gte',
  '=>': 'gte',
  '<': 'lt',
  '<=': 'lte',
  '=<': 'lte',
  '=': 'eq',
  '==': 'eq',
  '===': 'eq',
  '!=': 'ne',
  '!==': 'ne',
  '<>': 'ne',
};

export type Condition =
  | { kind: 'metric'; metric: string; operator: Operator; threshold: number }
  | { kind: 'cause'; cause: string; minConfidence: number }
  | { kind: 'anomaly'; metric: string; minScore: number }
  | {
      kind: 'forecast';
      metric: string;
      /** True when the metric is predicted past the threshold at a horizon up to this. */
      horizonSeconds: number;
      operator: ForecastOperator;
      threshold: number;
    };

export const FORECAST_OPERATORS = ['gt', 'gte', 'lt', 'lte'] as const;
export type ForecastOperator = (typeof FORECAST_OPERATORS)[number];

export interface ComponentSelector {
  /** Exact ids or globs (`*`, `?`); empty means every component. */
  components: string[];
  /** Every label listed must be present with this value. */
  labels: Record<string, string>;
}

export interface PolicyAction {
  name: string;
  /** Parsed, bounded and defaulted, then rendered as strings as HealingCommand carries them. */
  params: Record<string, string>;
}

export type PolicyMode = 'enforce' | 'shadow';

/** A person approves or denies the command first; unanswered after `timeoutMs`, `onTimeout`. */
export interface ApprovalRule {
  timeoutMs: number;
  onTimeout: 'escalate' | 'run';
}

/** A validated healing policy. */
export interface Policy {
  name: string;
  description: string;
  reasoning: string;
  selector: ComponentSelector;
  conditions: Condition[];
  actions: PolicyAction[];
  /** 1..10, 10 most urgent. */
  priority: number;
  cooldownSeconds: number;
  /** Dispatches per component per rolling hour; null for no policy-level limit. */
  maxPerHour: number | null;
  enabled: boolean;
  mode: PolicyMode;
  /** The conditions hold this long (ms) within an incident before the policy acts; 0 at once. */
  forMs: number;
  /** Set: the command waits in PENDING_APPROVAL (absent on policies built before approvals). */
  approval?: ApprovalRule | null;
  /** Runbook URL carried by every page about this policy's incidents; absent if none. */
  runbook?: string;
  source: { file: string; line: number };
}
