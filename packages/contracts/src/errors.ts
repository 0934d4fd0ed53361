/**
 * The one error root of healstream. Every error we throw on purpose is a HealstreamError with a
 * `code` from this table and a `retriable` flag: the consumer loop decides retry / dead-letter /
 * crash from the flag alone, never from the message text, and a dead letter carries the code.
 */
export const ERROR_CODES = {
  // A record that can never be processed as it is (dead-lettered).
  BAD_FRAMING: 'the value is not Confluent-framed Avro',
  UNKNOWN_SCHEMA: 'the schema id is not in the registry',
  DECODE_FAILED: 'the value does not decode with its schema',
  VALIDATION_FAILED: 'the record does not match its schema or rules',
  HANDLER_REJECTED: 'the handler refused the record',
  STATE_INVALID: 'a state read back from a changelog cannot be read by this version',
  INPUT_INVALID: 'an input the core cannot work with',
  // Something outside that is down for now (retried with backoff).
  REGISTRY_UNAVAILABLE: 'the schema registry did not answer',
  REGISTRY_REJECTED: 'the schema registry refused a schema',
  BROKER_UNAVAILABLE: 'the Kafka broker did not answer',
  RESTORE_TIMEOUT: "a partition's state restore did not finish in time",
  SINK_UNAVAILABLE: 'a paging sink did not answer',
  SINK_AUTH_FAILED: "a paging sink refused healstream's credentials (retried until fixed)",
  // The broker refuses a transaction for good (too large, not authorised): the partition halts.
  OUTPUT_REJECTED: "the broker refused a transaction's records with a non-retriable error",
  // Configuration a person must fix (exit 2 at start-up).
  CONFIG_INVALID: 'an environment variable or configuration file is invalid',
  POLICY_INVALID: 'a policy file is invalid',
  POLICY_DUPLICATE: 'two policies have the same name',
  COMPONENTS_INVALID: 'components.yaml is invalid',
  KAFKA_AUTH_FAILED: 'the Kafka cluster refused the configured SASL credentials or TLS settings',
  // Why a command may not run on a component (validated before anything runs).
  UNKNOWN_ACTION: 'no action of that name',
  UNKNOWN_COMPONENT: 'no component of that id',
  ACTION_NOT_PERMITTED: 'the action is not allowed for the component',
  PARAMS_OUT_OF_BOUNDS: "the action's parameters are out of bounds",
  // An action an executor could not carry out.
  EXECUTOR_UNAVAILABLE: 'the executor target did not answer (worth another attempt)',
  EXECUTOR_REJECTED: 'the executor target refused the action',
  EXECUTOR_MISSING: 'this build has no executor of that kind',
  UNSUPPORTED_ACTION: 'the executor has no operation for the action',
  ROLLBACK_REFUSED: 'there is no previous version to roll back to',
  NO_SECRET: 'the http executor has no HMAC secret for the component',
  KUBECONFIG_INVALID: 'the Kubernetes client configuration cannot be loaded',
  TARGET_INVALID: "the component's target does not name a workload",
  // Answers of a process supervisor's control API (the process executor's target).
  BAD_REQUEST: 'the supervisor could not read the request',
  UNAUTHORIZED:
    'the supervisor refused the call: no or a wrong bearer token (FLEET_SUPERVISOR_TOKEN)',
  AT_MAX_REPLICAS: 'the component already runs max_replicas instances',
  NO_PREVIOUS_VERSION: 'the component has no earlier version to go back to',
  NOT_RUNNING: 'the component has no running instance',
  START_FAILED: 'an instance did not become healthy after its start',
  INSTANCE_FAILED: 'an instance did not answer',
  UNREACHABLE: 'the supervisor did not answer',
  HTTP_ERROR: 'the supervisor answered an error without a code',
  // Dead letters sent back to where they came from.
  REDRIVE_REFUSED:
    'a dead letter cannot be redriven: already redriven, not the next one of its partition, or no origin header',
  INTERNAL: 'a bug: an invariant did not hold',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** For codes read off the wire (a supervisor's answer): whether it is one of ours. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export class HealstreamError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  constructor(code: ErrorCode, message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable;
  }
}

/** The record can never be processed as it is (bad bytes, fails validation): dead letter. */
export class PoisonRecordError extends HealstreamError {
  constructor(code: ErrorCode, message: string, cause?: unknown) {
    super(code, message, { retriable: false, cause });
  }
}

/** Something outside is down for now (broker, registry, sink): retry with backoff, never skip. */
export class TransientError extends HealstreamError {
  constructor(code: ErrorCode, message: string, cause?: unknown) {
    super(code, message, { retriable: true, cause });
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

/** `file:line:col: field: message (did you mean '…'?)`. */
export function formatIssue(issue: ConfigIssue): string {
  const hint = issue.suggestion ? ` (did you mean '${issue.suggestion}'?)` : '';
  const field = issue.field ? `${issue.field}: ` : '';
  return `${issue.file}:${issue.line}:${issue.column}: ${field}${issue.message}${hint}`;
}

type ConfigCode = Extract<
  ErrorCode,
  | 'CONFIG_INVALID'
  | 'POLICY_INVALID'
  | 'POLICY_DUPLICATE'
  | 'COMPONENTS_INVALID'
  | 'KAFKA_AUTH_FAILED'
>;

/**
 * Configuration a person must fix: never retriable. It names the environment variables that are
 * wrong, or carries located `file:line:col` issues (policy and component files).
 */
export class ConfigError extends HealstreamError {
  readonly variables: string[];
  readonly issues: ConfigIssue[];

  constructor(
    message: string,
    options: {
      code?: ConfigCode;
      variables?: string[];
      issues?: ConfigIssue[];
      cause?: unknown;
    } = {},
  ) {
    super(options.code ?? 'CONFIG_INVALID', message, { retriable: false, cause: options.cause });
    this.variables = options.variables ?? [];
    this.issues = options.issues ?? [];
  }

  /** The issues of a file, one `file:line:col: …` line each. */
  static located(code: ConfigCode, issues: ConfigIssue[]): ConfigError {
    return new ConfigError(issues.map(formatIssue).join('\n'), { code, issues });
  }
}

/** True only for errors that say so; unknown errors are not retried forever. */
export function isRetriable(error: unknown): boolean {
  return error instanceof HealstreamError ? error.retriable : false;
}
