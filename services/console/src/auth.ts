import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface AuthSettings {
  /** Undefined: nothing mutates, and reads need publicRead. */
  token: string | undefined;
  publicRead: boolean;
}

export type Refusal = { status: 401 | 403 | 415; message: string };

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  return value?.startsWith('Bearer ') ? value.slice('Bearer '.length).trim() : undefined;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Who may do what. The token travels only in the Authorization header (no cookie, so a page of
 * another site cannot ride on it), and a mutation must be a JSON body, which a cross-site form
 * cannot send without a CORS preflight that this server never grants.
 */
export function authorize(
  headers: IncomingHttpHeaders,
  settings: AuthSettings,
  mutating: boolean,
): Refusal | null {
  const given = bearer(headers);
  const valid =
    given !== undefined && settings.token !== undefined && sameToken(given, settings.token);
  if (mutating) {
    if (settings.token === undefined)
      return {
        status: 403,
        message: 'set HEALSTREAM_CONSOLE_TOKEN to allow changes from the console',
      };
    if (!valid)
      return {
        status: 401,
        message: 'a change needs Authorization: Bearer <HEALSTREAM_CONSOLE_TOKEN>',
      };
    const type = headers['content-type'] ?? '';
    if (!type.startsWith('application/json'))
      return { status: 415, message: 'changes are JSON only (Content-Type: application/json)' };
    return null;
  }
  if (valid || settings.publicRead) return null;
  return {
    status: 401,
    message:
      settings.token === undefined
        ? 'reading needs HEALSTREAM_CONSOLE_TOKEN (or HEALSTREAM_CONSOLE_PUBLIC_READ=1)'
        : 'reading needs Authorization: Bearer <HEALSTREAM_CONSOLE_TOKEN>',
  };
}
