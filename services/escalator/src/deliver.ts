import type { Escalation } from '@healstream/contracts';
import type { Logger } from '@healstream/runtime';
import type { EscalatorMetrics } from './metrics.js';
import { SinkAuthError, SinkRejectedError } from './sinks/http.js';
import type { Sink } from './sinks/types.js';

/**
 * Deliveries this process already made, kept across aborted transactions: when one sink is down
 * the transaction is retried, and the sinks that took the page then are not called again.
 * In memory only: after a crash a page may be delivered twice (same escalationId and labels,
 * so Alertmanager merges it and webhook receivers can drop it).
 */
export class DeliveryMemo {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 10_000) {}

  has(key: string): boolean {
    return this.seen.has(key);
  }

  add(key: string): void {
    this.seen.add(key);
    if (this.seen.size > this.max) this.seen.delete(this.seen.values().next().value as string);
  }
}

export interface DeliveryReport {
  delivered: string[];
  rejected: { sink: string; reason: string }[];
  /** For the Escalation's `channel`: the sinks that took it, and any that rejected it. */
  channel: string;
}

/**
 * Sends a page to its sinks in order. A sink that is down throws (TransientError) out of here:
 * the transaction aborts and everything is retried with backoff. A sink that rejects the page
 * (4xx) is reported in the channel, counted and logged, and not retried: retrying cannot help,
 * and dead-lettering a page would only feed it back to the escalator.
 */
export async function deliver(
  page: Escalation,
  sinkNames: string[],
  deps: {
    sinks: ReadonlyMap<string, Sink>;
    memo: DeliveryMemo;
    metrics: EscalatorMetrics;
    logger: Logger;
    team: string | undefined;
  },
): Promise<DeliveryReport> {
  const { sinks, memo, metrics, logger, team } = deps;
  const report: DeliveryReport = { delivered: [], rejected: [], channel: '' };
  const log = {
    escalationId: page.escalationId,
    dedupKey: page.dedupKey,
    incidentId: page.incidentId,
    source: page.source,
    status: page.status,
  };
  for (const name of sinkNames) {
    const sink = sinks.get(name);
    if (!sink) throw new Error(`sink '${name}' is routed to but not configured`);
    const memoKey = `${page.escalationId}\0${page.status}\0${name}`;
    if (memo.has(memoKey)) {
      report.delivered.push(name);
      continue;
    }
    const timer = metrics.sinkSeconds.startTimer({ sink: name });
    try {
      await sink.send(page, { team });
      timer();
      memo.add(memoKey);
      report.delivered.push(name);
      metrics.delivered.inc({ sink: name, source: page.source, status: page.status });
      logger.info(
        { ...log, sink: name },
        page.status === 'RESOLVED' ? 'page resolved' : 'page delivered',
      );
    } catch (error) {
      timer();
      if (error instanceof SinkRejectedError) {
        metrics.failed.inc({ sink: name, source: page.source, reason: 'rejected' });
        logger.error({ ...log, sink: name, err: error }, 'sink rejected the page; not retried');
        report.rejected.push({ sink: name, reason: `HTTP ${error.status}` });
        continue;
      }
      if (error instanceof SinkAuthError) {
        metrics.failed.inc({ sink: name, source: page.source, reason: 'auth' });
        logger.error(
          { ...log, sink: name, status: error.status },
          "sink refused healstream's credentials; the page waits and is retried until the key is fixed",
        );
        throw error;
      }
      metrics.failed.inc({ sink: name, source: page.source, reason: 'unavailable' });
      logger.warn(
        { ...log, sink: name, err: error },
        'sink unavailable; the transaction will be retried',
      );
      throw error;
    }
  }
  const parts = [report.delivered.join(',') || 'none'];
  if (report.rejected.length > 0)
    parts.push(`rejected by ${report.rejected.map((r) => `${r.sink} (${r.reason})`).join(', ')}`);
  if (sinkNames.length === 0) parts.push('no sink routed');
  report.channel = parts.join('; ');
  return report;
}
