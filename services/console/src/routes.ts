import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kafka } from 'kafkajs';
import type { IncidentStore } from '@healstream/incidents';
import {
  redriveDeadLetters,
  redriveGroupId,
  redriveProgress,
  RedriveRefusedError,
} from '@healstream/runtime';
import { answerApproval, type PublishControl } from './approvals-route.js';
import { ackRecord } from './acknowledge.js';
import { authorize, type AuthSettings } from './auth.js';
import { shell } from './html.js';
import { decisionQuery, incidentFilter, readBody, RequestError, utcTime } from './request.js';
import type { LiveHub } from './live.js';
import { deadLettersView, decisionsView, fleetView, incidentsView, incidentView } from './views.js';

const asset = (name: string) => readFileSync(new URL(`../assets/${name}`, import.meta.url), 'utf8');
const ASSETS: Record<string, { type: string; body: string }> = {
  '/assets/console.js': { type: 'text/javascript; charset=utf-8', body: asset('console.js') },
  '/assets/console.css': { type: 'text/css; charset=utf-8', body: asset('console.css') },
};

export interface RouteDeps {
  store: IncidentStore;
  kafka: Kafka;
  prefix: string;
  deadLetterTopics: string[];
  auth: AuthSettings;
  live: LiveHub;
  now: () => number;
  /** How long "recent" reaches back for resolved incidents. */
  recentMs: number;
  /** Writes an operator's lever to every partition of the control topic (acknowledge, approvals). */
  publishControl?: PublishControl;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, ...SECURITY_HEADERS }).end(body);
}
const json = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

function decisions(deps: RouteDeps, params: URLSearchParams) {
  const q = decisionQuery(params);
  const from = utcTime(params, 'from');
  const to = utcTime(params, 'to');
  return {
    q,
    rows: deps.store.decisions({
      ...(q.component ? { component: q.component } : {}),
      ...(q.policy ? { policy: q.policy } : {}),
      ...(q.verdict ? { verdict: q.verdict } : {}),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    }),
  };
}

async function deadLetters(deps: RouteDeps) {
  const out = [];
  for (const topic of deps.deadLetterTopics) {
    const rows = deps.store.deadLetters(topic);
    if (rows.length === 0) continue;
    out.push({
      topic,
      rows,
      next: await redriveProgress(deps.kafka, redriveGroupId(deps.prefix), topic),
    });
  }
  return out;
}

async function redrive(deps: RouteDeps, body: unknown) {
  const b = (body ?? {}) as { topic?: unknown; partition?: unknown; offset?: unknown };
  if (typeof b.topic !== 'string' || !deps.deadLetterTopics.includes(b.topic))
    throw new RequestError(
      400,
      `topic: must be one of the dead-letter topics (${deps.deadLetterTopics.join(', ')}), got ${JSON.stringify(b.topic)}`,
    );
  const one = b.partition !== undefined || b.offset !== undefined;
  if (
    one &&
    (!Number.isInteger(b.partition) || typeof b.offset !== 'string' || !/^\d+$/.test(b.offset))
  )
    throw new RequestError(
      400,
      'partition (a whole number) and offset (a string of digits) go together',
    );
  try {
    return await redriveDeadLetters(deps.kafka, {
      dlqTopic: b.topic,
      groupId: redriveGroupId(deps.prefix),
      ...(one ? { only: { partition: b.partition as number, offset: b.offset as string } } : {}),
    });
  } catch (error) {
    if (error instanceof RedriveRefusedError) throw new RequestError(409, error.message);
    throw error;
  }
}

/** The server-rendered fragment of a page (the shell's script puts it in place). */
async function view(deps: RouteDeps, path: string, params: URLSearchParams): Promise<string> {
  if (path === '/')
    return incidentsView(
      deps.store.incidents(incidentFilter(params, deps.now() - deps.recentMs)),
      incidentFilter(params, deps.now() - deps.recentMs),
    );
  if (path.startsWith('/incidents/')) {
    const id = decodeURIComponent(path.slice('/incidents/'.length));
    const incident = deps.store.incident(id);
    if (!incident) throw new RequestError(404, `no incident ${id} in the store (yet)`);
    return incidentView(incident);
  }
  if (path === '/decisions') {
    const { q, rows } = decisions(deps, params);
    return decisionsView(rows, q);
  }
  if (path === '/fleet') return fleetView(deps.store.fleet());
  if (path === '/dead-letters') return deadLettersView(await deadLetters(deps));
  throw new RequestError(404, `no page ${path}`);
}

async function api(
  deps: RouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  params: URLSearchParams,
) {
  if (path === '/api/events') return deps.live.open(res);
  if (path === '/api/incidents')
    return json(res, 200, deps.store.incidents(incidentFilter(params, deps.now() - deps.recentMs)));
  const ack = /^\/api\/incidents\/([^/]+)\/ack$/.exec(path);
  if (ack) {
    if (req.method !== 'POST') throw new RequestError(405, 'acknowledge is a POST');
    const record = ackRecord(decodeURIComponent(ack[1] as string), await readBody(req), deps.now());
    if ('error' in record) throw new RequestError(400, record.error);
    if (!deps.publishControl)
      throw new RequestError(501, 'this console does not write control records');
    const partitions = await deps.publishControl(record);
    return json(res, 200, { ...record, partitions: partitions.length });
  }
  if (path.startsWith('/api/incidents/')) {
    const id = decodeURIComponent(path.slice('/api/incidents/'.length));
    const incident = deps.store.incident(id);
    if (!incident) throw new RequestError(404, `no incident ${id} in the store (yet)`);
    return json(res, 200, incident);
  }
  if (path === '/api/decisions') return json(res, 200, decisions(deps, params).rows);
  if (path === '/api/fleet') return json(res, 200, deps.store.fleet());
  if (path === '/api/dead-letters')
    return json(
      res,
      200,
      (await deadLetters(deps)).map((t) => ({
        ...t,
        next: Object.fromEntries([...t.next].map(([p, o]) => [p, String(o)])),
      })),
    );
  if (path === '/api/dead-letters/redrive') {
    if (req.method !== 'POST') throw new RequestError(405, 'redrive is a POST');
    const report = await redrive(deps, await readBody(req));
    deps.live.send('dead-letters', report);
    return json(res, 200, report);
  }
  if (path.startsWith('/api/approvals/')) {
    if (req.method !== 'POST') throw new RequestError(405, 'an approval is a POST');
    if (!deps.publishControl)
      throw new RequestError(503, 'this console cannot write control records');
    const id = decodeURIComponent(path.slice('/api/approvals/'.length));
    const answer = await answerApproval(deps.publishControl, id, await readBody(req), deps.now());
    if (answer.status !== 200) throw new RequestError(answer.status, answer.error);
    return json(res, 200, answer.body);
  }
  throw new RequestError(404, `no endpoint ${path}`);
}

const PAGES = /^\/(|incidents\/[^/]+|decisions|fleet|dead-letters)$/;

/** Answers a console request; false for paths it does not know (health and metrics follow). */
export function handle(
  deps: RouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): boolean {
  const url = new URL(req.url ?? '/', 'http://console');
  const asset = ASSETS[path];
  if (asset && req.method === 'GET') {
    send(res, 200, asset.type, asset.body);
    return true;
  }
  const isView = path.startsWith('/view/') || path === '/view';
  if (req.method === 'GET' && PAGES.test(path)) {
    send(res, 200, 'text/html; charset=utf-8', shell('console', path));
    return true;
  }
  if (!isView && !path.startsWith('/api/')) return false;
  const mutating = req.method !== 'GET' && req.method !== 'HEAD';
  const origin = req.headers.origin;
  if (mutating && origin !== undefined && origin !== `http://${req.headers.host}`) {
    json(res, 403, { error: `a change from another origin (${origin}) is refused` });
    return true;
  }
  const refusal = authorize(req.headers, deps.auth, mutating);
  if (refusal) {
    json(res, refusal.status, { error: refusal.message });
    return true;
  }
  const done = isView
    ? view(deps, path.slice('/view'.length) || '/', url.searchParams).then((html) =>
        send(res, 200, 'text/html; charset=utf-8', html),
      )
    : api(deps, req, res, path, url.searchParams);
  done.catch((error: unknown) => {
    const status = error instanceof RequestError ? error.status : 500;
    const message = error instanceof Error ? error.message : String(error);
    if (res.headersSent) res.end();
    else if (isView)
      send(
        res,
        status,
        'text/html; charset=utf-8',
        `<h1>${status}</h1><p class="error">${message.replaceAll('<', '&lt;')}</p>`,
      );
    else json(res, status, { error: message });
  });
  return true;
}
