import { ConnectionPool, PoolTimeoutError } from './connection-pool.js';
import { RequestWindow, type RequestSample } from './request-window.js';

export const FAULT_KINDS = [
  'none',
  'latency',
  'errors',
  'dependency-errors',
  'pool-exhaustion',
  'memory-leak',
  'crash',
  'hang',
  'traffic-surge',
  'database-down',
  'bad-deploy',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults a member can carry at once; `crash` and `bad-deploy` are events, not states. */
export interface ActiveFaults {
  latency: boolean;
  errors: boolean;
  dependencyErrors: boolean;
  poolLeak: boolean;
  memoryLeak: boolean;
  hang: boolean;
  /** The component's traffic surged: CPU work shared over its running instances. */
  surge: boolean;
  /** The component's database is unreachable: every query fails, whatever the process does. */
  databaseDown: boolean;
}

export interface BehaviourOptions {
  /** A defective build: a share of requests fail whatever else happens (cured by rollback). */
  defective: boolean;
  poolSize: number;
  now: () => number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  windowMs?: number;
}

export interface ServeResult {
  status: number;
  body: string;
}

const noFaults = (): ActiveFaults => ({
  latency: false,
  errors: false,
  dependencyErrors: false,
  poolLeak: false,
  memoryLeak: false,
  hang: false,
  surge: false,
  databaseDown: false,
});

/**
 * How one member serves a request under its current faults and protections. Faults persist
 * like the real thing: leaked connections stay leaked and a hang stays hung until the process
 * is restarted; `none` stops new damage but gives nothing back. A circuit breaker stops calls
 * to the dependency; fallback mode answers from a cache, touching neither database nor
 * dependency, so errors and latency stop while it is on.
 */
export class MemberBehaviour {
  readonly pool: ConnectionPool;
  readonly window: RequestWindow;
  readonly faults: ActiveFaults = noFaults();
  private circuitOpenUntil = 0;
  private fallbackUntil = 0;
  private inflightCount = 0;
  private cacheFlushes = 0;

  constructor(private readonly options: BehaviourOptions) {
    this.pool = new ConnectionPool(options.poolSize);
    this.window = new RequestWindow(options.windowMs ?? 5000);
  }

  get defective(): boolean {
    return this.options.defective;
  }

  get inflight(): number {
    return this.inflightCount;
  }

  get flushes(): number {
    return this.cacheFlushes;
  }

  /** Applies an injected fault. `none` clears the faults that can clear; leaked state stays. */
  inject(kind: Exclude<FaultKind, 'crash' | 'bad-deploy'>): void {
    if (kind === 'none') {
      this.faults.latency = false;
      this.faults.errors = false;
      this.faults.dependencyErrors = false;
      this.faults.poolLeak = false;
      this.faults.memoryLeak = false;
      this.faults.surge = false;
      this.faults.databaseDown = false;
      return;
    }
    if (kind === 'latency') this.faults.latency = true;
    if (kind === 'errors') this.faults.errors = true;
    if (kind === 'dependency-errors') this.faults.dependencyErrors = true;
    if (kind === 'pool-exhaustion') this.faults.poolLeak = true;
    if (kind === 'memory-leak') this.faults.memoryLeak = true;
    if (kind === 'hang') this.faults.hang = true;
    if (kind === 'traffic-surge') this.faults.surge = true;
    if (kind === 'database-down') this.faults.databaseDown = true;
  }

  openCircuit(durationMs: number): void {
    this.circuitOpenUntil = this.options.now() + durationMs;
  }

  enableFallback(durationMs: number): void {
    this.fallbackUntil = this.options.now() + durationMs;
  }

  flushCache(): void {
    this.cacheFlushes++;
  }

  circuitOpen(): boolean {
    return this.options.now() < this.circuitOpenUntil;
  }

  fallbackOn(): boolean {
    return this.options.now() < this.fallbackUntil;
  }

  /** Serves one request and records it in the window (a hung request never returns). */
  async serve(): Promise<ServeResult> {
    const { now, random, sleep } = this.options;
    const started = now();
    this.inflightCount++;
    let dependency: RequestSample['dependency'] = 'none';
    let result: ServeResult;
    try {
      if (this.faults.hang) await new Promise<never>(() => {});
      if (this.fallbackOn()) {
        await sleep(1 + random() * 3);
        result = { status: 200, body: 'served from cache (fallback mode)' };
      } else if (this.faults.databaseDown) {
        // The connect attempt fails fast: nothing is checked out of the pool.
        await sleep(10 + random() * 10);
        result = { status: 503, body: 'database unreachable' };
      } else {
        const release = await this.pool.acquire(500);
        try {
          await sleep(5 + random() * 10 + (this.faults.latency ? 700 + random() * 200 : 0));
        } finally {
          // A leaking code path forgets to give some connections back.
          if (!(this.faults.poolLeak && random() < 0.3)) release();
        }
        if (random() < 0.5) {
          if (this.circuitOpen()) {
            result = { status: 200, body: 'served without the dependency (circuit open)' };
          } else {
            await sleep(2 + random() * 5);
            const failed = random() < (this.faults.dependencyErrors ? 0.6 : 0.002);
            dependency = failed ? 'failed' : 'ok';
            result = failed
              ? { status: 502, body: 'dependency failed' }
              : { status: 200, body: 'ok' };
          }
        } else {
          result = { status: 200, body: 'ok' };
        }
        if (result.status === 200) {
          const errorShare = Math.max(
            this.faults.errors ? 0.4 : 0,
            this.options.defective ? 0.35 : 0,
            0.002,
          );
          if (random() < errorShare) result = { status: 500, body: 'internal error' };
        }
      }
    } catch (error) {
      if (!(error instanceof PoolTimeoutError)) throw error;
      result = { status: 503, body: error.message };
    } finally {
      this.inflightCount--;
    }
    this.window.record({
      at: now(),
      latencyMs: now() - started,
      ok: result.status < 500,
      dependency,
    });
    return result;
  }

  /** Why the member is unhealthy, or null when it is healthy (or degraded but serving). */
  unhealthyReason(memoryUtil: number, cpuUtil = 0): string | null {
    if (this.fallbackOn()) return null;
    const s = this.window.summary(this.options.now());
    if (this.pool.inUse >= this.pool.max && this.pool.waiting > 0)
      return `connection pool exhausted (${this.pool.inUse}/${this.pool.max})`;
    if (s.count >= 10 && s.errorRate >= 0.25)
      return `error rate ${(s.errorRate * 100).toFixed(0)}%`;
    if (s.count >= 10 && s.latencyP99Ms > 500)
      return `p99 latency ${Math.round(s.latencyP99Ms)} ms`;
    if (memoryUtil >= 0.9) return `memory at ${(memoryUtil * 100).toFixed(0)}% of its limit`;
    if (cpuUtil >= 0.95) return `cpu at ${(cpuUtil * 100).toFixed(0)}% of its limit`;
    return null;
  }
}
