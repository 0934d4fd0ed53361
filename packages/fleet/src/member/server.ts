import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BadRequest, readJson, sendJson } from '../http-json.js';
import { FAULT_KINDS, MemberBehaviour, type FaultKind } from './behaviour.js';
import { exposition, type MemberSnapshot } from './exposition.js';
import { startCpuBurner } from './cpu-burner.js';
import { EXTERNAL_FAULTS, SharedState, type ExternalFault } from './shared-state.js';

export interface MemberSettings {
  name: string;
  instance: string;
  port: number;
  version: string;
  defective: boolean;
  loadRps: number;
  memoryLimitMb: number;
  leakMbPerSecond: number;
  poolSize: number;
  /** The CPU the member may use (a container's limit), in cores: cpu_util is a share of it. */
  cpuLimitCores?: number;
  /** CPU work of a traffic surge for the whole component, in cores, shared by its instances. */
  surgeCores?: number;
  /** Where the component's instances share external faults and heartbeats (see SharedState). */
  stateDir?: string | undefined;
}

export interface RunningMember {
  server: Server;
  port: number;
  behaviour: MemberBehaviour;
  /** Graceful stop: no new requests, wait for the in-flight ones (bounded), then resolve. */
  stop(drainMs?: number): Promise<void>;
}

function durationMs(body: Record<string, unknown>, fallbackSeconds: number): number {
  const raw = body['duration_seconds'] ?? fallbackSeconds;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400)
    throw new BadRequest('duration_seconds must be a number of seconds from 1 to 86400');
  return seconds * 1000;
}

/**
 * The demo fleet member: a small HTTP service that serves a self-generated load and reports
 * real measurements of it. Faults are injected over /admin and behave like the real thing.
 */
export async function startMember(
  settings: MemberSettings,
  onCrash: () => void = () => process.exit(70),
): Promise<RunningMember> {
  const behaviour = new MemberBehaviour({
    defective: settings.defective,
    poolSize: settings.poolSize,
    now: Date.now,
    random: Math.random,
    sleep,
  });
  const startedAt = Date.now();
  const leaked: Buffer[] = [];
  const cpuMsNow = () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  };
  // CPU time at the last few quarter-seconds: utilisation is read over the trailing second.
  const cpuSamples = [{ at: Date.now(), ms: cpuMsNow() }];
  let cpuUtil = 0;
  const cpuLimit = settings.cpuLimitCores ?? 1;
  const surgeCores = settings.surgeCores ?? cpuLimit * 1.2;
  const shared = new SharedState(settings.stateDir, settings.name, settings.instance);
  let peers = 1;
  const refreshShared = () => {
    shared.beat();
    behaviour.faults.surge = shared.has('traffic-surge');
    behaviour.faults.databaseDown = shared.has('database-down');
    peers = shared.peers();
  };
  refreshShared();
  const stopBurner = startCpuBurner(() => (behaviour.faults.surge ? surgeCores / peers : 0));

  const timers = [
    // The load: requests go through the same path as GET /work.
    setInterval(
      () => {
        if (behaviour.inflight < 200) void behaviour.serve().catch(() => {});
      },
      Math.max(1, Math.round(1000 / settings.loadRps)),
    ),
    // Four times a second: the peers (a new instance takes its share of a surge within a
    // quarter-second, as behind a load balancer) and the CPU of the trailing second.
    setInterval(() => {
      const now = Date.now();
      cpuSamples.push({ at: now, ms: cpuMsNow() });
      while (cpuSamples.length > 2 && now - (cpuSamples[1] as { at: number }).at >= 1000)
        cpuSamples.shift();
      const first = cpuSamples[0] as { at: number; ms: number };
      const used = (cpuSamples[cpuSamples.length - 1] as { ms: number }).ms - first.ms;
      cpuUtil = Math.min(1, used / Math.max(1, now - first.at) / cpuLimit);
      refreshShared();
    }, 250),
    setInterval(() => {
      // A leak holds on to memory it touched, so resident memory really grows.
      if (behaviour.faults.memoryLeak)
        leaked.push(Buffer.alloc(Math.round(settings.leakMbPerSecond * 1024 * 1024), 1));
    }, 1000),
  ];

  const snapshot = (): MemberSnapshot => {
    const s = behaviour.window.summary(Date.now());
    const memoryMb = process.memoryUsage().rss / (1024 * 1024);
    return {
      latencyP99Ms: s.latencyP99Ms,
      errorRate: s.errorRate,
      requestsPerSecond: s.requestsPerSecond,
      dependencyErrorRate: s.dependencyErrorRate,
      inflight: behaviour.inflight,
      cpuUtil,
      memoryMb,
      memoryUtil: memoryMb / settings.memoryLimitMb,
      poolActive: behaviour.pool.inUse,
      poolMax: behaviour.pool.max,
      circuitOpen: behaviour.circuitOpen(),
      fallback: behaviour.fallbackOn(),
      uptimeSeconds: (Date.now() - startedAt) / 1000,
      replicas: peers,
    };
  };
  const labels = {
    component: settings.name,
    instance: settings.instance,
    version: settings.version,
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://member');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/healthz') {
      if (behaviour.faults.hang) return; // a hung process does not answer at all
      const now = snapshot();
      const reason = behaviour.unhealthyReason(now.memoryUtil, now.cpuUtil);
      return sendJson(res, reason ? 503 : 200, {
        status: reason ? 'unhealthy' : behaviour.fallbackOn() ? 'degraded' : 'ok',
        reason,
        version: settings.version,
        pid: process.pid,
      });
    }
    if (req.method === 'GET' && path === '/metrics') {
      const text = exposition(snapshot(), labels);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(text);
      return;
    }
    if (req.method === 'GET' && path === '/work') {
      const result = await behaviour.serve();
      res.writeHead(result.status, { 'content-type': 'text/plain' });
      res.end(result.body);
      return;
    }
    if (req.method === 'GET' && path === '/status') {
      return sendJson(res, 200, {
        ...labels,
        pid: process.pid,
        defective: settings.defective,
        faults: behaviour.faults,
        peers,
        flushes: behaviour.flushes,
        ...snapshot(),
      });
    }
    if (req.method === 'POST' && path === '/admin/fault') {
      const body = await readJson(req);
      const kind = body['kind'] as FaultKind;
      if (!FAULT_KINDS.includes(kind))
        throw new BadRequest(`kind must be one of ${FAULT_KINDS.join(', ')}`);
      if (kind === 'bad-deploy') {
        return sendJson(res, 409, {
          error:
            'a bad deploy is a new version: ask the supervisor (POST /components/<id>/fault {"kind":"bad-deploy"} or /deploy)',
        });
      }
      if (kind === 'crash') {
        sendJson(res, 202, { fault: kind, pid: process.pid });
        setTimeout(onCrash, 20);
        return;
      }
      if (kind === 'none') shared.clearAll();
      if ((EXTERNAL_FAULTS as readonly string[]).includes(kind))
        shared.set(kind as ExternalFault, true);
      behaviour.inject(kind);
      return sendJson(res, 200, { fault: kind, faults: behaviour.faults });
    }
    if (req.method === 'POST' && path === '/admin/circuit-breaker') {
      const ms = durationMs(await readJson(req), 60);
      behaviour.openCircuit(ms);
      return sendJson(res, 200, { circuitBreaker: 'open', untilMs: Date.now() + ms });
    }
    if (req.method === 'POST' && path === '/admin/fallback') {
      const ms = durationMs(await readJson(req), 300);
      behaviour.enableFallback(ms);
      return sendJson(res, 200, { fallback: 'on', untilMs: Date.now() + ms });
    }
    if (req.method === 'POST' && path === '/admin/hooks/flush-cache') {
      await readJson(req);
      behaviour.flushCache();
      return sendJson(res, 200, { flushed: behaviour.flushes });
    }
    sendJson(res, 404, { error: `no route ${req.method} ${path}` });
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      sendJson(res, error instanceof BadRequest ? 400 : 500, {
        error: error instanceof Error ? error.message : String(error),
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // SO_REUSEPORT: the instance that replaces this one binds the port while this one drains.
    server.listen({ port: settings.port, host: '127.0.0.1', reusePort: true }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;

  let stopping: Promise<void> | undefined;
  return {
    server,
    port,
    behaviour,
    stop: (drainMs = 10_000) =>
      (stopping ??= (async () => {
        for (const t of timers) clearInterval(t);
        stopBurner();
        shared.leave();
        server.close();
        server.closeIdleConnections();
        const until = Date.now() + drainMs;
        while (behaviour.inflight > 0 && Date.now() < until) await sleep(20);
        server.closeAllConnections();
      })()),
  };
}
