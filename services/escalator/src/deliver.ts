import type { Escalation } from '@healstream/contracts';
import type { Logger } from '@healstream/runtime';
import type { EscalatorMetrics } from './metrics.js';
import { SinkAuthError, SinkRejectedError } from './sinks/http.js';
import type { Sink } from './sinks/types.js';
import type { OutboxEntry } from './state.js';

export type DeliveryResult =
  | { kind: 'delivered' }
  | { kind: 'rejected'; reason: string }
  /** Down, or our credentials refused: try again later, the page waits. */
  | { kind: 'retry' };

/**
 * One call of one sink. A sink that is down, or that refuses our credentials (a rotated key),
 * is worth another attempt: the page waits in the outbox. A sink that rejects the page itself
 * (another 4xx) is reported in the channel, counted and logged, and not called again:
 * retrying cannot help, and dead-lettering a page would only feed it back to the escalator.
 */
export async function deliverTo(
  sink: Sink,
  page: Escalation,
  team: string | undefined,
  deps: { metrics: EscalatorMetrics; logger: Logger },
): Promise<DeliveryResult> {
  const { metrics, logger } = deps;
  const log = {
    escalationId: page.escalationId,
    dedupKey: page.dedupKey,
    incidentId: page.incidentId,
    source: page.source,
    status: page.status,
    sink: sink.name,
  };
  const timer = metrics.sinkSeconds.startTimer({ sink: sink.name });
  try {
    await sink.send(page, { team });
    timer();
    metrics.delivered.inc({ sink: sink.name, source: page.source, status: page.status });
    logger.info(log, page.status === 'RESOLVED' ? 'page resolved' : 'page delivered');
    return { kind: 'delivered' };
  } catch (error) {
    timer();
    if (error instanceof SinkRejectedError) {
      metrics.failed.inc({ sink: sink.name, source: page.source, reason: 'rejected' });
      logger.error({ ...log, err: error }, 'sink rejected the page; not retried');
      return { kind: 'rejected', reason: `HTTP ${error.status}` };
    }
    if (error instanceof SinkAuthError) {
      metrics.failed.inc({ sink: sink.name, source: page.source, reason: 'auth' });
      logger.error(
        { ...log, status: error.status },
        "sink refused healstream's credentials; the page waits and is retried until the key is fixed",
      );
      return { kind: 'retry' };
    }
    metrics.failed.inc({ sink: sink.name, source: page.source, reason: 'unavailable' });
    logger.warn({ ...log, err: error }, 'sink unavailable; the page waits and is retried');
    return { kind: 'retry' };
  }
}

/** For the Escalation's `channel`: the sinks that took it, and any that rejected it. */
export function channelOf(entry: Pick<OutboxEntry, 'sinks' | 'delivered' | 'rejected'>): string {
  const parts = [entry.delivered.join(',') || 'none'];
  if (entry.rejected.length > 0)
    parts.push(`rejected by ${entry.rejected.map((r) => `${r.sink} (${r.reason})`).join(', ')}`);
  if (entry.sinks.length === 0) parts.push('no sink routed');
  return parts.join('; ');
}
