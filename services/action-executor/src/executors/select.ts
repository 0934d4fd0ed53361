import { EXECUTOR_KINDS } from '@healstream/core';
import { dockerExecutor } from './docker-executor.js';
import { httpExecutor } from './http-executor.js';
import { kubernetesExecutor } from './kubernetes-executor.js';
import { processExecutor } from './process-executor.js';
import { unavailableExecutor, type ActionExecutor } from './types.js';

/** One executor per kind; kinds without an implementation here fail their actions clearly. */
export function createExecutors(options: {
  supervisorUrl: string;
  /** The supervisor's bearer token for state-changing calls. */
  supervisorToken?: string;
  webhookSecrets: ReadonlyMap<string, string>;
  now?: () => number;
}): Map<string, ActionExecutor> {
  const executors = new Map<string, ActionExecutor>(
    EXECUTOR_KINDS.map((kind) => [kind, unavailableExecutor(kind)]),
  );
  executors.set('process', processExecutor(options.supervisorUrl, options.supervisorToken));
  executors.set('http', httpExecutor(options.webhookSecrets, options.now));
  executors.set('kubernetes', kubernetesExecutor());
  executors.set('docker', dockerExecutor(options.now ? { now: options.now } : {}));
  return executors;
}
