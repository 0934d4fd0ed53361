import { request } from 'node:http';
import { ExecutorError } from './types.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';
export const DEFAULT_API_VERSION = 'v1.43';

export interface EngineAnswer {
  status: number;
  body: unknown;
}

/**
 * A small client of the Docker Engine API over its unix socket (node:http with socketPath; no
 * dependency). Paths are versioned (`/v1.43/...`) so the engine answers with that version's
 * schema. Any status listed in `ok` resolves; others throw an ExecutorError: 5xx is retriable,
 * 4xx (no such container or image, name in use, bad parameter) is not; a socket that cannot be
 * reached (engine down or restarting) is retriable.
 */
export class DockerEngine {
  constructor(
    readonly socketPath: string,
    readonly apiVersion: string,
  ) {}

  call(
    method: string,
    path: string,
    options: { signal: AbortSignal; body?: unknown; ok?: number[]; what: string },
  ): Promise<EngineAnswer> {
    const ok = options.ok ?? [200, 201, 204];
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise<EngineAnswer>((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method,
          path: `/${this.apiVersion}${path}`,
          headers: {
            host: 'docker',
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
          signal: options.signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              body = text;
            }
            const status = res.statusCode ?? 0;
            if (ok.includes(status)) return resolve({ status, body });
            const message =
              typeof (body as { message?: unknown } | undefined)?.message === 'string'
                ? (body as { message: string }).message
                : text.slice(0, 300);
            const retriable = status >= 500;
            reject(
              new ExecutorError(
                `${options.what}: docker engine answered ${status}: ${message}`,
                retriable,
                retriable ? 'EXECUTOR_UNAVAILABLE' : 'EXECUTOR_REJECTED',
              ),
            );
          });
        },
      );
      req.on('error', (error) => {
        if (options.signal.aborted) reject(error);
        else
          reject(
            new ExecutorError(
              `${options.what}: docker engine at ${this.socketPath} unreachable: ${error.message}`,
              true,
            ),
          );
      });
      req.end(payload);
    });
  }
}

/** The parts of `GET /containers/{id}/json` the executor reads. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Config: Record<string, unknown> & { Image: string; Labels?: Record<string, string> | null };
  HostConfig: Record<string, unknown> & {
    NetworkMode?: string;
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
  };
  NetworkSettings?: { Networks?: Record<string, { Aliases?: string[] | null }> | null };
}

/** One item of `GET /containers/json`. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  State: string;
  Labels?: Record<string, string> | null;
}
