import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How healstream signs what it POSTs to endpoints outside (the http executor's runbook calls,
 * the escalator's webhook sink), and how a receiver checks it.
 */
export const SIGNATURE_HEADER = 'x-healstream-signature';
export const TIMESTAMP_HEADER = 'x-healstream-timestamp';

/**
 * `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`): the timestamp is signed too, so
 * a captured request cannot be replayed later with a fresh timestamp.
 */
export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers: true when the signature matches and the timestamp is within the tolerance. */
export function verifySignature(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  options: { now: number; toleranceMs?: number },
): boolean {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(options.now - Number(timestamp)) > (options.toleranceMs ?? 300_000)) return false;
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
