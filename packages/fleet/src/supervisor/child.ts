import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { InstanceInfo } from '@healstream/supervisor-client';
export { freePort } from '@healstream/infra';

export interface StartOptions {
  component: string;
  index: number;
  port: number;
  version: string;
  defective: boolean;
  command: string[] | null;
  env: Record<string, string>;
  healthPath: string;
  /**
   * Healthy only when the health check answers with this process's pid, as the built-in member's
   * does: while its replacement boots, the instance being replaced may still answer on the port.
   */
  ownPid?: boolean;
  startTimeoutMs: number;
  onOutput?: (line: string) => void;
  onExit?: (info: InstanceInfo) => void;
}

/**
 * The built-in member program, run through tsx so it needs no build step. The demo and
 * `healstream fleet` run its bundle in dist/ instead (compiledMemberCommand in the CLI): a
 * restart then waits for node to load JavaScript, not for tsx to transpile the sources.
 */
export function memberCommand(): string[] {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const main = fileURLToPath(new URL('../member/main.ts', import.meta.url));
  return [process.execPath, '--import', pathToFileURL(tsx).href, main];
}

function answeredPid(body: string): number | null {
  try {
    const pid = (JSON.parse(body) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : null;
  } catch {
    return null;
  }
}

/** One real child process of a component, from spawn to exit. */
export class ChildInstance {
  readonly info: InstanceInfo;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  private constructor(options: StartOptions) {
    const [program, ...args] = options.command ?? memberCommand();
    this.info = {
      component: options.component,
      index: options.index,
      pid: null,
      port: options.port,
      version: options.version,
      defective: options.defective,
      state: 'starting',
      startedAt: Date.now(),
      exitCode: null,
      signal: null,
    };
    this.child = spawn(program as string, args, {
      env: {
        ...process.env,
        ...options.env,
        NAME: options.component,
        PORT: String(options.port),
        VERSION: options.version,
        INSTANCE: `${options.component}-${options.index}`,
        DEFECTIVE: options.defective ? '1' : '0',
        SUPERVISOR_PID: String(process.pid),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.info.pid = this.child.pid ?? null;
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') options.onOutput?.(line);
    };
    this.child.stdout?.on('data', forward);
    this.child.stderr?.on('data', forward);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.info.state = 'exited';
        this.info.exitCode = code;
        this.info.signal = signal;
        options.onExit?.({ ...this.info });
        resolve();
      });
      this.child.once('error', (error) => {
        options.onOutput?.(`spawn failed: ${error.message}`);
        this.info.state = 'exited';
        resolve();
      });
    });
  }

  /** Spawns the process and waits until its health check answers 200 (or throws). */
  static async start(options: StartOptions): Promise<ChildInstance> {
    const instance = new ChildInstance(options);
    const url = `http://127.0.0.1:${options.port}${options.healthPath}`;
    const until = Date.now() + options.startTimeoutMs;
    let last = 'no answer yet';
    while (Date.now() < until) {
      if (instance.info.state === 'exited') {
        throw new Error(
          `${options.component}-${options.index} exited while starting (code ${instance.info.exitCode}, signal ${instance.info.signal})`,
        );
      }
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        const body = await res.text();
        const pid = options.ownPid ? answeredPid(body) : instance.info.pid;
        if (res.status === 200 && pid === instance.info.pid) {
          instance.info.state = 'running';
          return instance;
        }
        last =
          pid === instance.info.pid
            ? `health check answered ${res.status}`
            : `health check answered by pid ${pid}, not ${instance.info.pid}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(50);
    }
    await instance.stop(0);
    throw new Error(
      `${options.component}-${options.index} did not become healthy within ${options.startTimeoutMs} ms (${last})`,
    );
  }

  get alive(): boolean {
    return this.info.state !== 'exited';
  }

  /** SIGTERM, then SIGKILL when it has not exited after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (!this.alive) return;
    this.info.state = 'stopping';
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (timedOut && this.alive) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}
