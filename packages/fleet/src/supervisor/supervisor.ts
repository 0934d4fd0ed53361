import { FAULT_KINDS, type FaultKind } from '../member/behaviour.js';
import { HealstreamError, type ErrorCode } from '@healstream/contracts';
import type { ComponentStatus, InstanceInfo } from '@healstream/supervisor-client';
import { ChildInstance, freePort } from './child.js';
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
  onEvent?: (event: SupervisorEvent) => void;
  onOutput?: (component: string, index: number, line: string) => void;
}

interface Release {
  version: string;
  defective: boolean;
}

interface Managed {
  spec: MemberSpec;
  release: Release;
  history: Release[];
  instances: ChildInstance[];
  /** Operations on one component run one after another. */
  queue: Promise<unknown>;
}

const nextPatch = (version: string) => {
  const m = /^(\d+)\.(\d+)\.(\d+)(.*)$/.exec(version);
  return m ? `${m[1]}.${m[2]}.${Number(m[3]) + 1}` : `${version}-next`;
};

/**
 * Owns the real child processes of the fleet. It never restarts anything by itself: a crashed
 * instance stays down (and shows as exited) until someone asks for a restart, which is what
 * gives the self-healing engine something to heal.
 */
export class Supervisor {
  private readonly managed = new Map<string, Managed>();
  private readonly operations = new Map<string, Promise<unknown>>();

  constructor(private readonly options: SupervisorOptions) {
    for (const spec of options.specs) {
      this.managed.set(spec.id, {
        spec,
        release: { version: spec.version, defective: false },
        history: [],
        instances: [],
        queue: Promise.resolve(),
      });
    }
  }

  /** Starts one instance of every component, in parallel; throws if any fails to start. */
  async startAll(): Promise<void> {
    const results = await Promise.allSettled(
      [...this.managed.keys()].map((id) =>
        this.serially(id, (m) => this.addInstance(m, m.spec.port)),
      ),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0)
      throw new SupervisorError(
        'START_FAILED',
        failed.map((f) => (f.reason as Error).message).join('; '),
        500,
      );
  }

  async stopAll(graceMs = this.options.stopGraceMs ?? 10_000): Promise<void> {
    await Promise.all(
      [...this.managed.values()].flatMap((m) => m.instances.map((i) => i.stop(graceMs))),
    );
  }

  status(): ComponentStatus[] {
    return [...this.managed.values()].map((m) => this.describe(m));
  }

  component(id: string): ComponentStatus {
    return this.describe(this.get(id));
  }

  /**
   * Runs an operation at most once per idempotency key: a retried request (the caller timed
   * out, the answer was lost) gets the first run's result instead of a second restart.
   */
  once<T>(key: string | undefined, operation: () => Promise<T>): Promise<T> {
    if (!key) return operation();
    const existing = this.operations.get(key);
    if (existing) return existing as Promise<T>;
    const running = operation();
    this.operations.set(key, running);
    running.catch(() => this.operations.delete(key));
    if (this.operations.size > 1000)
      this.operations.delete(this.operations.keys().next().value as string);
    return running;
  }

  /** Graceful stop and health-checked start of every instance, one after another: new pids. */
  restart(
    id: string,
    graceMs = 30_000,
  ): Promise<{ component: string; before: (number | null)[]; after: (number | null)[] }> {
    return this.serially(id, async (m) => {
      const before = m.instances.map((i) => i.info.pid);
      await this.replaceAll(m, m.release, graceMs);
      this.emit(id, 'restarted', { before, after: m.instances.map((i) => i.info.pid) });
      return { component: id, before, after: m.instances.map((i) => i.info.pid) };
    });
  }

  /** Starts `replicas` more instances on free ports, up to the component's max_replicas. */
  scaleUp(
    id: string,
    replicas = 1,
  ): Promise<{ component: string; added: InstanceInfo[]; instances: number }> {
    return this.serially(id, async (m) => {
      const alive = m.instances.filter((i) => i.alive).length;
      if (alive + replicas > m.spec.maxReplicas) {
        throw new SupervisorError(
          'AT_MAX_REPLICAS',
          `${id} runs ${alive} of at most ${m.spec.maxReplicas} instances; cannot add ${replicas}`,
          409,
        );
      }
      const added: InstanceInfo[] = [];
      for (let n = 0; n < replicas; n++) {
        const instance = await this.addInstance(m, await freePort());
        added.push({ ...instance.info });
      }
      this.emit(id, 'scaled up', {
        added: added.map((a) => a.port),
        instances: m.instances.length,
      });
      return { component: id, added, instances: m.instances.filter((i) => i.alive).length };
    });
  }

  /** Deploys a version: every instance is replaced by one running it. */
  deploy(
    id: string,
    version: string,
    defective = false,
    graceMs = 10_000,
  ): Promise<ComponentStatus> {
    return this.serially(id, async (m) => {
      const previous = m.release;
      await this.replaceAll(m, { version, defective }, graceMs);
      m.history.push(previous);
      m.release = { version, defective };
      this.emit(id, 'deployed', { version, previous: previous.version });
      return this.describe(m);
    });
  }

  /** Goes back to the previous version (or the given one, which must be in the history). */
  rollback(
    id: string,
    toVersion?: string,
    graceMs = 10_000,
  ): Promise<{ component: string; from: string; to: string; after: (number | null)[] }> {
    return this.serially(id, async (m) => {
      const index =
        toVersion === undefined
          ? m.history.length - 1
          : m.history.map((r) => r.version).lastIndexOf(toVersion);
      const target = m.history[index];
      if (!target) {
        throw new SupervisorError(
          'NO_PREVIOUS_VERSION',
          toVersion
            ? `${id} never ran version ${toVersion}`
            : `${id} has no previous version to roll back to`,
          409,
        );
      }
      const from = m.release.version;
      await this.replaceAll(m, target, graceMs);
      m.history.splice(index);
      m.release = target;
      this.emit(id, 'rolled back', { from, to: target.version });
      return { component: id, from, to: target.version, after: m.instances.map((i) => i.info.pid) };
    });
  }

  circuitBreaker(
    id: string,
    durationSeconds: number,
  ): Promise<{ component: string; instances: unknown[] }> {
    return this.toInstances(id, '/admin/circuit-breaker', { duration_seconds: durationSeconds });
  }

  fallback(
    id: string,
    durationSeconds: number,
  ): Promise<{ component: string; instances: unknown[] }> {
    return this.toInstances(id, '/admin/fallback', { duration_seconds: durationSeconds });
  }

  /** A custom action: POST /admin/hooks/<name> on every running instance. */
  async hook(
    id: string,
    name: string,
    params: Record<string, unknown>,
  ): Promise<{ component: string; instances: unknown[] }> {
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      throw new SupervisorError('BAD_REQUEST', `hook names are kebab-case, got '${name}'`, 400);
    return this.toInstances(id, `/admin/hooks/${name}`, params);
  }

  /** Injects a fault; a bad deploy is a deploy of a defective next version. */
  async fault(id: string, kind: string): Promise<unknown> {
    if (!FAULT_KINDS.includes(kind as FaultKind))
      throw new SupervisorError(
        'BAD_REQUEST',
        `kind must be one of ${FAULT_KINDS.join(', ')}`,
        400,
      );
    if (kind === 'bad-deploy') {
      const m = this.get(id);
      return this.deploy(id, nextPatch(m.release.version), true);
    }
    return this.toInstances(id, '/admin/fault', { kind });
  }

  private get(id: string): Managed {
    const m = this.managed.get(id);
    if (!m) throw this.unknown(id);
    return m;
  }

  private unknown(id: string): SupervisorError {
    return new SupervisorError(
      'UNKNOWN_COMPONENT',
      `no component '${id}' in this fleet (have: ${[...this.managed.keys()].join(', ')})`,
      404,
    );
  }

  private serially<T>(id: string, operation: (m: Managed) => Promise<T>): Promise<T> {
    const m = this.managed.get(id);
    if (!m) return Promise.reject(this.unknown(id));
    const run = m.queue.then(() => operation(m));
    m.queue = run.catch(() => {});
    return run;
  }

  private describe(m: Managed): ComponentStatus {
    return {
      id: m.spec.id,
      version: m.release.version,
      defective: m.release.defective,
      history: m.history.map((r) => r.version),
      maxReplicas: m.spec.maxReplicas,
      instances: m.instances.map((i) => ({ ...i.info })),
    };
  }

  private async addInstance(
    m: Managed,
    port: number,
    release = m.release,
    index = m.instances.length,
  ): Promise<ChildInstance> {
    const instance = await this.startInstance(m, port, release, index);
    m.instances[index] = instance;
    return instance;
  }

  private startInstance(
    m: Managed,
    port: number,
    release: Release,
    index: number,
  ): Promise<ChildInstance> {
    const { spec } = m;
    return ChildInstance.start({
      component: spec.id,
      index,
      port,
      version: release.version,
      defective: release.defective,
      command: spec.command,
      env: spec.env,
      healthPath: spec.healthPath,
      startTimeoutMs: this.options.startTimeoutMs ?? 20_000,
      onOutput: (line) => this.options.onOutput?.(spec.id, index, line),
      onExit: (info) => {
        if (info.state === 'exited')
          this.emit(spec.id, 'instance exited', {
            index,
            pid: info.pid,
            code: info.exitCode,
            signal: info.signal,
          });
      },
    }).catch((error: unknown) => {
      throw new SupervisorError(
        'START_FAILED',
        error instanceof Error ? error.message : String(error),
        502,
      );
    });
  }

  /** Rolling replacement: each instance is stopped, then started again on its own port. */
  private async replaceAll(m: Managed, release: Release, graceMs: number): Promise<void> {
    if (m.instances.length === 0) {
      await this.addInstance(m, m.spec.port, release, 0);
      return;
    }
    for (const [index, old] of m.instances.entries()) {
      await old.stop(graceMs);
      await this.addInstance(m, old.info.port, release, index);
    }
  }

  private async toInstances(
    id: string,
    path: string,
    body: Record<string, unknown>,
  ): Promise<{ component: string; instances: unknown[] }> {
    const m = this.get(id);
    const running = m.instances.filter((i) => i.info.state === 'running');
    if (running.length === 0)
      throw new SupervisorError('NOT_RUNNING', `${id} has no running instance`, 409);
    const answers = await Promise.all(
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
    this.emit(id, path.replace('/admin/', ''), { body, instances: running.length });
    return { component: id, instances: answers };
  }

  private emit(component: string, message: string, detail?: Record<string, unknown>): void {
    this.options.onEvent?.({ component, message, ...(detail ? { detail } : {}) });
  }
}
