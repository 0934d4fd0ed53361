import { HealstreamError, type ErrorCode } from '@healstream/contracts';
import type { ChildInstance } from './child.js';
import type { MemberSpec } from './spec.js';

/** An operation the supervisor refused or could not complete; `status` is its HTTP status. */
export class SupervisorError extends HealstreamError {
  constructor(
    code: Extract<
      ErrorCode,
      | 'UNKNOWN_COMPONENT'
      | 'BAD_REQUEST'
      | 'AT_MAX_REPLICAS'
      | 'NO_PREVIOUS_VERSION'
      | 'NOT_RUNNING'
      | 'START_FAILED'
      | 'INSTANCE_FAILED'
    >,
    message: string,
    readonly status: number,
  ) {
    super(code, message, { retriable: status >= 500 });
  }
}

export interface SupervisorEvent {
  component: string;
  message: string;
  detail?: Record<string, unknown>;
}

export interface SupervisorOptions {
  specs: MemberSpec[];
  startTimeoutMs?: number;
  /** Grace of stops the supervisor decides itself (scale-down on shutdown, failed starts). */
  stopGraceMs?: number;
  /**
   * How to run a member whose spec names no command of its own; the built-in member program
   * through tsx when not given (see memberCommand).
   */
  memberCommand?: string[];
  onEvent?: (event: SupervisorEvent) => void;
  onOutput?: (component: string, index: number, line: string) => void;
}

export interface Release {
  version: string;
  defective: boolean;
}

export interface Managed {
  spec: MemberSpec;
  release: Release;
  history: Release[];
  instances: ChildInstance[];
  /** Operations on one component run one after another. */
  queue: Promise<unknown>;
}

export const nextPatch = (version: string) => {
  const m = /^(\d+)\.(\d+)\.(\d+)(.*)$/.exec(version);
  return m ? `${m[1]}.${m[2]}.${Number(m[3]) + 1}` : `${version}-next`;
};
