export const OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne'] as const;
export type Operator = (typeof OPERATORS)[number];

export type Condition =
  | { kind: 'metric'; metric: string; operator: Operator; threshold: number }
  | { kind: 'cause'; cause: string; minConfidence: number }
  | { kind: 'anomaly'; metric: string; minScore: number };

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
  /** Runbook URL carried by every page about this policy's incidents; absent if none. */
  runbook?: string;
  source: { file: string; line: number };
}
