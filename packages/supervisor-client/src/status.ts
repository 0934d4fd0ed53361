/** What the control API answers about a component (GET /status, GET /components/:id). */
export interface ComponentStatus {
  id: string;
  version: string;
  defective: boolean;
  /** Versions it ran before, most recent last: what a rollback goes back to. */
  history: string[];
  maxReplicas: number;
  instances: InstanceInfo[];
}

export type InstanceState = 'starting' | 'running' | 'stopping' | 'exited';

/** One child process of a component. */
export interface InstanceInfo {
  component: string;
  index: number;
  pid: number | null;
  port: number;
  version: string;
  defective: boolean;
  state: InstanceState;
  startedAt: number;
  exitCode: number | null;
  signal: string | null;
}
