import { ChildInstance } from './child.js';
import { sharesPort, type MemberSpec } from './spec.js';
import { SupervisorError, type Release } from './supervisor-types.js';

/**
 * POSTs a member admin call (fault, fallback, circuit breaker, hooks) to every running instance
 * of a component and collects their answers.
 */
export async function postToInstances(
  id: string,
  instances: readonly ChildInstance[],
  path: string,
  body: Record<string, unknown>,
): Promise<{ index: number; pid: number | null }[]> {
  const running = instances.filter((i) => i.info.state === 'running');
  if (running.length === 0)
    throw new SupervisorError('NOT_RUNNING', `${id} has no running instance`, 409);
  return Promise.all(
    running.map(async (i) => {
      const res = await fetch(`http://127.0.0.1:${i.info.port}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      }).catch((error: unknown) => {
        throw new SupervisorError(
          'INSTANCE_FAILED',
          `${id}-${i.info.index} (pid ${i.info.pid}) did not answer ${path}: ${(error as Error).message}`,
          502,
        );
      });
      const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (res.status >= 400)
        throw new SupervisorError(
          res.status === 400 ? 'BAD_REQUEST' : 'INSTANCE_FAILED',
          `${id}-${i.info.index}: ${String(answer['error'] ?? res.status)}`,
          res.status === 400 ? 400 : 502,
        );
      return { index: i.info.index, pid: i.info.pid, ...answer };
    }),
  );
}

/** Starts one instance of a member on `port`, running `release`; START_FAILED if it does not come up. */
export function startMemberInstance(
  spec: MemberSpec,
  at: { port: number; release: Release; index: number },
  hooks: {
    memberCommand?: string[] | undefined;
    startTimeoutMs: number;
    onOutput: (line: string) => void;
    onExited: (detail: Record<string, unknown>) => void;
  },
): Promise<ChildInstance> {
  const { port, release, index } = at;
  return ChildInstance.start({
    component: spec.id,
    index,
    port,
    version: release.version,
    defective: release.defective,
    command: spec.command ?? hooks.memberCommand ?? null,
    env: spec.env,
    healthPath: spec.healthPath,
    ownPid: sharesPort(spec),
    startTimeoutMs: hooks.startTimeoutMs,
    onOutput: hooks.onOutput,
    onExit: (info) => {
      if (info.state === 'exited')
        hooks.onExited({ index, pid: info.pid, code: info.exitCode, signal: info.signal });
    },
  }).catch((error: unknown) => {
    throw new SupervisorError(
      'START_FAILED',
      error instanceof Error ? error.message : String(error),
      502,
    );
  });
}
