import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { z } from 'zod';
import { BadRequest, readJson, sendJson } from '../http-json.js';
import { SupervisorError, type Supervisor } from './supervisor.js';

export interface ControlServer {
  server: Server;
  port: number;
  url: string;
  /** The bearer token every state-changing request must carry. */
  token: string;
  close(): Promise<void>;
}

const restartBody = z.object({ grace_seconds: z.coerce.number().min(0).max(300).default(30) });
const scaleBody = z.object({ replicas: z.coerce.number().int().min(1).max(100).default(1) });
const rollbackBody = z.object({ to_version: z.string().min(1).optional() });
const deployBody = z.object({ version: z.string().min(1), defective: z.boolean().default(false) });
const durationBody = (fallback: number) =>
  z.object({ duration_seconds: z.coerce.number().min(1).max(86_400).default(fallback) });
const faultBody = z.object({ kind: z.string().min(1) });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success)
    throw new BadRequest(
      result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return result.data;
}

/**
 * The supervisor's local control API (JSON over HTTP, bound to 127.0.0.1):
 *
 *   GET  /status                               every component, its version and instances
 *   GET  /components/:id                       one component
 *   POST /components/:id/restart               {grace_seconds?}  graceful stop + checked start
 *   POST /components/:id/scale-up              {replicas?}       more instances, other ports
 *   POST /components/:id/scale-down            {replicas?}       fewer, never below min_replicas
 *   POST /components/:id/rollback              {to_version?}     restart on the previous version
 *   POST /components/:id/deploy                {version, defective?}
 *   POST /components/:id/circuit-breaker       {duration_seconds?}
 *   POST /components/:id/fallback              {duration_seconds?}
 *   POST /components/:id/fault                 {kind}  latency|errors|dependency-errors|pool-exhaustion|memory-leak|crash|hang|bad-deploy|none
 *   POST /components/:id/hooks/:name           custom action parameters
 *
 * An `Idempotency-Key` header makes a mutating request run at most once per key. Every POST
 * must carry `Authorization: Bearer <token>` (the token given, else a random one the caller
 * passes on) and a JSON body (`content-type: application/json`): a web page the operator happens
 * to open can send neither, so it cannot drive the fleet.
 */
export async function startControlServer(
  supervisor: Supervisor,
  options: { port?: number; host?: string; token?: string } = {},
): Promise<ControlServer> {
  const token = options.token || randomBytes(24).toString('hex');
  const expected = Buffer.from(`Bearer ${token}`);
  const authorised = (req: IncomingMessage) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const route = async (req: IncomingMessage): Promise<{ status: number; body: unknown }> => {
    const path = new URL(req.url ?? '/', 'http://supervisor').pathname;
    if (req.method === 'GET' && path === '/healthz') return { status: 200, body: { status: 'ok' } };
    if (req.method === 'GET' && path === '/status')
      return { status: 200, body: { components: supervisor.status() } };
    const match = /^\/components\/([^/]+)(?:\/([a-z-]+)(?:\/([^/]+))?)?$/.exec(path);
    if (!match) return { status: 404, body: { error: `no route ${req.method} ${path}` } };
    const id = decodeURIComponent(match[1] as string);
    const op = match[2];
    if (req.method === 'GET' && !op) return { status: 200, body: supervisor.component(id) };
    if (req.method !== 'POST' || !op)
      return { status: 405, body: { error: `use POST for /components/${id}/${op ?? ''}` } };
    if (!authorised(req))
      return {
        status: 401,
        body: { error: 'a bearer token is required to change the fleet', code: 'UNAUTHORIZED' },
      };
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
      return {
        status: 415,
        body: { error: 'send the body as application/json', code: 'BAD_REQUEST' },
      };
    const body = await readJson(req);
    const key = req.headers['idempotency-key'];
    const once = <T>(operation: () => Promise<T>) =>
      supervisor.once(
        typeof key === 'string' && key !== '' ? `${op}:${id}:${key}` : undefined,
        operation,
      );
    switch (op) {
      case 'restart': {
        const { grace_seconds } = parse(restartBody, body);
        return {
          status: 200,
          body: await once(() => supervisor.restart(id, grace_seconds * 1000)),
        };
      }
      case 'scale-up': {
        const { replicas } = parse(scaleBody, body);
        return { status: 200, body: await once(() => supervisor.scaleUp(id, replicas)) };
      }
      case 'scale-down': {
        const { replicas } = parse(scaleBody, body);
        return { status: 200, body: await once(() => supervisor.scaleDown(id, replicas)) };
      }
      case 'rollback': {
        const { to_version } = parse(rollbackBody, body);
        return { status: 200, body: await once(() => supervisor.rollback(id, to_version)) };
      }
      case 'deploy': {
        const { version, defective } = parse(deployBody, body);
        return { status: 200, body: await once(() => supervisor.deploy(id, version, defective)) };
      }
      case 'circuit-breaker': {
        const { duration_seconds } = parse(durationBody(60), body);
        return {
          status: 200,
          body: await once(() => supervisor.circuitBreaker(id, duration_seconds)),
        };
      }
      case 'fallback': {
        const { duration_seconds } = parse(durationBody(300), body);
        return { status: 200, body: await once(() => supervisor.fallback(id, duration_seconds)) };
      }
      case 'fault': {
        const { kind } = parse(faultBody, body);
        return { status: 200, body: await once(() => supervisor.fault(id, kind)) };
      }
      case 'hooks': {
        const name = match[3];
        if (!name) throw new BadRequest('POST /components/:id/hooks/:name');
        return {
          status: 200,
          body: await once(() => supervisor.hook(id, decodeURIComponent(name), body)),
        };
      }
      default:
        return { status: 404, body: { error: `no operation '${op}'` } };
    }
  };

  const server = createServer((req, res) => {
    route(req)
      .then(({ status, body }) => sendJson(res, status, body))
      .catch((error: unknown) => {
        if (error instanceof SupervisorError)
          return sendJson(res, error.status, { error: error.message, code: error.code });
        if (error instanceof BadRequest)
          return sendJson(res, 400, { error: error.message, code: 'BAD_REQUEST' });
        sendJson(res, 500, {
          error: error instanceof Error ? error.message : String(error),
          code: 'INTERNAL',
        });
      });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7100, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 7100);
  return {
    server,
    port,
    url: `http://${host}:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
