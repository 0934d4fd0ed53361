import {
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';

/** Faults that live outside the process: every instance of the component sees them, a restart keeps them. */
export const EXTERNAL_FAULTS = ['traffic-surge', 'database-down'] as const;
export type ExternalFault = (typeof EXTERNAL_FAULTS)[number];

/**
 * What the instances of one component share, kept in a directory (the member's STATE_DIR): the
 * faults of the world around them (their database is down, their traffic surged), which a
 * restart or a new instance does not escape, and a heartbeat per instance, from which each one
 * knows how many share the traffic (as a load balancer in front of them would spread it).
 * Without a directory the state is the process's own: faults end with it, and it is alone.
 */
export class SharedState {
  private readonly faults = new Set<ExternalFault>();

  constructor(
    private readonly dir: string | undefined,
    private readonly component: string,
    private readonly instance: string,
    private readonly heartbeatTtlMs = 3000,
  ) {
    if (dir) mkdirSync(this.peersDir(), { recursive: true });
  }

  set(fault: ExternalFault, on: boolean): void {
    if (on) this.faults.add(fault);
    else this.faults.delete(fault);
    if (!this.dir) return;
    const file = this.faultFile(fault);
    if (on) writeFileSync(file, new Date().toISOString());
    else rmSync(file, { force: true });
  }

  clearAll(): void {
    for (const fault of EXTERNAL_FAULTS) this.set(fault, false);
  }

  has(fault: ExternalFault): boolean {
    return this.dir ? existsSync(this.faultFile(fault)) : this.faults.has(fault);
  }

  /** Marks this instance alive now. */
  beat(now = Date.now()): void {
    if (!this.dir) return;
    const file = join(this.peersDir(), this.instance);
    if (!existsSync(file)) writeFileSync(file, '');
    const at = new Date(now);
    utimesSync(file, at, at);
  }

  /** Instances (this one included) that beat within the heartbeat TTL; at least 1. */
  peers(now = Date.now()): number {
    if (!this.dir) return 1;
    let alive = 0;
    for (const name of readdirSync(this.peersDir())) {
      const mtime = statSync(join(this.peersDir(), name), { throwIfNoEntry: false })?.mtimeMs;
      if (mtime !== undefined && now - mtime <= this.heartbeatTtlMs) alive++;
    }
    return Math.max(1, alive);
  }

  /** This instance leaves: it no longer takes a share. */
  leave(): void {
    if (this.dir) rmSync(join(this.peersDir(), this.instance), { force: true });
  }

  private faultFile(fault: ExternalFault): string {
    return join(this.dir as string, `${this.component}.${fault}`);
  }

  private peersDir(): string {
    return join(this.dir as string, `${this.component}.peers`);
  }
}
