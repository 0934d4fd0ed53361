/** Exponential backoff with full jitter: a random delay in [0, min(max, initial·2^attempt)]. */
export function backoffDelay(
  attempt: number,
  options: { initialMs: number; maxMs: number } = { initialMs: 100, maxMs: 30_000 },
  random = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.max(options.initialMs / 2, Math.round(random() * ceiling));
}
