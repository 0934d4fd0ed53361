import { TICK_COMPONENT, TICK_METRIC } from '@healstream/core';
import type { Logger, PartitionContext } from '@healstream/runtime';

/**
 * Keeps time moving on a quiet partition: when nothing has arrived on it for `everyMs` (wall
 * clock), a tick record is appended to the partition itself, stamped on arrival like any
 * record. Silence is then decided from the stream alone (ticks included), in its order, so a
 * replay decides as the live run did; a partition whose only component crashed, or whose
 * producer died, still sees its clock advance. The wall clock is read here, in the service,
 * never in the logic.
 */
export function startTicks(options: {
  context: PartitionContext;
  metricsTopic: string;
  everyMs: number;
  /** When (wall clock) the partition's latest record was handled. */
  lastHandled: () => number;
  logger: Logger;
}): () => void {
  const { context, everyMs, logger } = options;
  let sending = false;
  const timer = setInterval(() => {
    const now = Date.now();
    if (sending || !context.owned() || now - options.lastHandled() < everyMs) return;
    sending = true;
    context
      .produce([
        {
          topic: options.metricsTopic,
          key: TICK_COMPONENT,
          value: {
            component: TICK_COMPONENT,
            metric: TICK_METRIC,
            value: 0,
            timestamp: now,
            labels: {},
          },
        },
      ])
      .catch((error: unknown) =>
        logger.debug(
          { err: error, partition: context.partition },
          'tick not written; next one will be',
        ),
      )
      .finally(() => {
        sending = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
