import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** A long-running local process started detached, remembered by a pid file. */
export interface ManagedProcess {
  name: string;
  pidFile: string;
  logFile: string;
  /** A string its command line contains, so a recycled pid is never mistaken for it. */
  marker: string;
}

export function managed(
  name: string,
  runDir: string,
  logDir: string,
  marker: string,
): ManagedProcess {
  return {
    name,
    pidFile: join(runDir, `${name}.pid`),
    logFile: join(logDir, `${name}.log`),
    marker,
  };
}

function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** The pid of the process if it is running, else undefined (and a stale pid file is removed). */
export function runningPid(p: ManagedProcess): number | undefined {
  if (!existsSync(p.pidFile)) return undefined;
  const pid = Number(readFileSync(p.pidFile, 'utf8').trim());
  const line = Number.isInteger(pid) && pid > 0 ? cmdline(pid) : undefined;
  if (line?.includes(p.marker)) return pid;
  rmSync(p.pidFile, { force: true });
  return undefined;
}

export function startDetached(
  p: ManagedProcess,
  command: string,
  args: string[],
  cwd: string,
): number {
  mkdirSync(join(p.pidFile, '..'), { recursive: true });
  mkdirSync(join(p.logFile, '..'), { recursive: true });
  const fd = openSync(p.logFile, 'a');
  try {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${p.name}: ${command}`);
    child.unref();
    writeFileSync(p.pidFile, String(child.pid));
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL. Resolves when the process is gone. */
export async function stop(p: ManagedProcess, graceMs = 20_000): Promise<boolean> {
  const pid = runningPid(p);
  if (pid === undefined) return false;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (cmdline(pid) !== undefined && Date.now() < deadline) await sleep(100);
  if (cmdline(pid) !== undefined) {
    signal('SIGKILL');
    while (cmdline(pid) !== undefined) await sleep(50);
  }
  rmSync(p.pidFile, { force: true });
  return true;
}

/** Resident memory of a process in MiB, from /proc. */
export function residentMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
  } catch {
    return undefined;
  }
}
