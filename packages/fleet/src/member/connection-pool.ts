export class PoolTimeoutError extends Error {
  constructor(waitedMs: number) {
    super(`no database connection free after ${waitedMs} ms`);
    this.name = 'PoolTimeoutError';
  }
}

/**
 * A database connection pool in miniature: `max` connections, waiters queue, a wait times out.
 * A connection that is never released is lost to the pool for good (a leak), which is how pool
 * exhaustion really happens: only a restart gives the connections back.
 */
export class ConnectionPool {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly max: number) {}

  get inUse(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  async acquire(timeoutMs: number): Promise<() => void> {
    if (this.active >= this.max) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new PoolTimeoutError(timeoutMs));
        }, timeoutMs);
        this.waiters.push(wake);
      });
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The connection passes straight to the next waiter; otherwise it goes back to the pool.
      if (next) next();
      else this.active--;
    };
  }
}
