import { FAULT_KINDS, type FaultKind } from '../member/behaviour.js';
import type { ComponentStatus, InstanceInfo } from '@healstream/supervisor-client';
import type { ChildInstance } from './child.js';
import { freePort } from './child.js';
import { describeManaged, rollbackTarget, runOnce } from './managed.js';
import { postToInstances, startMemberInstance } from './members.js';
import { sharesPort } from './spec.js';
import {
  nextPatch,
  SupervisorError,
  type Managed,
  type Release,
  type SupervisorOptions,
} from './supervisor-types.js';

export type { SupervisorEvent, SupervisorOptions } from './supervisor-types.js';
export { SupervisorError };

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
    return [...this.managed.values()].map((m) => describeManaged(m));
  }

  component(id: string): ComponentStatus {
    return describeManaged(this.get(id));
  }

  /**
   * Runs an operation at most once per idempotency key: a retried request (the caller timed
   * out, the answer was lost) gets the first run's result instead of a second restart.
   */
  once<T>(key: string | undefined, operation: () => Promise<T>): Promise<T> {
    return runOnce(this.operations, key, operation);
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

  /**
   * Stops up to `replicas` of the newest instances, never the first one and never below the
   * component's min_replicas: the reverse of scaleUp.
   */
  scaleDown(
    id: string,
    replicas = 1,
    graceMs = this.options.stopGraceMs ?? 10_000,
  ): Promise<{ component: string; removed: InstanceInfo[]; instances: number }> {
    return this.serially(id, async (m) => {
      const removed: InstanceInfo[] = [];
      const alive = () => m.instances.filter((i) => i.alive).length;
      while (removed.length < replicas && m.instances.length > 1) {
        const last = m.instances[m.instances.length - 1] as ChildInstance;
        // An exited instance at the end is only tidied away; it was not serving.
        if (last.alive && alive() <= m.spec.minReplicas) break;
        const wasAlive = last.alive;
        await last.stop(graceMs);
        m.instances.pop();
        if (wasAlive) removed.push({ ...last.info });
      }
      this.emit(id, 'scaled down', {
        removed: removed.map((r) => r.port),
        instances: alive(),
      });
      return { component: id, removed, instances: alive() };
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
      return describeManaged(m);
    });
  }

  /** Goes back to the previous version (or the given one, which must be in the history). */
  rollback(
    id: string,
    toVersion?: string,
    graceMs = 10_000,
  ): Promise<{ component: string; from: string; to: string; after: (number | null)[] }> {
    return this.serially(id, async (m) => {
      const { index, target } = rollbackTarget(m, toVersion);
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
    return startMemberInstance(
      m.spec,
      { port, release, index },
      {
        memberCommand: this.options.memberCommand,
        startTimeoutMs: this.options.startTimeoutMs ?? 20_000,
        onOutput: (line) => this.options.onOutput?.(m.spec.id, index, line),
        onExited: (detail) => this.emit(m.spec.id, 'instance exited', detail),
      },
    );
  }

  /**
   * Rolling replacement: each instance is stopped and started again on its own port. The
   * built-in member binds its port with SO_REUSEPORT and answers health checks with its pid, so
   * its replacement boots while it drains, as a Deployment with maxSurge rolls pods: a restart
   * waits for the longer of the two, not their sum. A program of the spec's own command is
   * stopped first: it may not share its port.
   */
  private async replaceAll(m: Managed, release: Release, graceMs: number): Promise<void> {
    if (m.instances.length === 0) {
      await this.addInstance(m, m.spec.port, release, 0);
      return;
    }
    for (const [index, old] of m.instances.entries()) {
      if (!sharesPort(m.spec)) {
        await old.stop(graceMs);
        await this.addInstance(m, old.info.port, release, index);
        continue;
      }
      // stop() has sent SIGTERM before it returns its promise: the old process closes its
      // listener before the new one can answer.
      const draining = old.stop(graceMs);
      try {
        await this.addInstance(m, old.info.port, release, index);
      } finally {
        await draining;
      }
    }
  }

  private async toInstances(
    id: string,
    path: string,
    body: Record<string, unknown>,
  ): Promise<{ component: string; instances: unknown[] }> {
    const m = this.get(id);
    const answers = await postToInstances(id, m.instances, path, body);
    this.emit(id, path.replace('/admin/', ''), { body, instances: answers.length });
    return { component: id, instances: answers };
  }

  private emit(component: string, message: string, detail?: Record<string, unknown>): void {
    this.options.onEvent?.({ component, message, ...(detail ? { detail } : {}) });
  }
}
