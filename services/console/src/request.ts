import type { IncomingMessage } from 'node:http';
import type { IncidentFilter } from '@healstream/incidents';
import type { DecisionQuery } from './views.js';

/** A request the console cannot answer as asked, with the status and a message that says why. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function text(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name)?.trim();
  return v ? v : undefined;
}

/** A time parameter; one without a zone is UTC. */
export function utcTime(params: URLSearchParams, name: string): number | undefined {
  const v = text(params, name);
  if (v === undefined) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
  if (Number.isNaN(ms))
    throw new RequestError(
      400,
      `${name}: '${v}' is not a time (e.g. 2026-01-01T12:00, read as UTC)`,
    );
  return ms;
}

/** The incidents a page or the API asks for: the filters given, resolved ones back to `since`. */
export function incidentFilter(params: URLSearchParams, since: number): IncidentFilter {
  const f: IncidentFilter = { since };
  if (params.get('open') === '1' || params.get('open') === 'true') f.open = true;
  for (const k of ['component', 'team', 'verdict', 'cause'] as const) {
    const v = text(params, k);
    if (v !== undefined) f[k] = v;
  }
  return f;
}

export function decisionQuery(params: URLSearchParams): DecisionQuery {
  const q: DecisionQuery = {};
  for (const k of ['component', 'policy', 'verdict', 'from', 'to'] as const) {
    const v = text(params, k);
    if (v !== undefined) q[k] = v;
  }
  return q;
}

/** The request's JSON body, at most 64 KiB. */
export async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new RequestError(413, 'the request body is over 64 KiB');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch (error) {
    throw new RequestError(400, `the body is not JSON: ${(error as Error).message}`);
  }
}
