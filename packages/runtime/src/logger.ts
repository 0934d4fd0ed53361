import { pino, type Logger } from 'pino';
import { logLevel as kafkaLevel, type logCreator } from 'kafkajs';

export type { Logger };

/** JSON logs on stdout, one line each; `service` and `instance` on every line. */
export function createLogger(service: string, level: string, instance?: string): Logger {
  return pino({
    level,
    base: { service, ...(instance ? { instance } : {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/**
 * kafkajs' text for protocol error CONCURRENT_TRANSACTIONS (51): the coordinator is still
 * writing the markers of the previous transaction. kafkajs retries it itself and it happens in
 * normal running, yet it logs each such response at error level; only its text tells it apart.
 */
const CONCURRENT_TRANSACTIONS =
  'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';

function isConcurrentTransactions(extra: Record<string, unknown>): boolean {
  return extra['error'] === CONCURRENT_TRANSACTIONS;
}

/**
 * Routes kafkajs's own logging into pino, at a level no noisier than warn; the retried
 * CONCURRENT_TRANSACTIONS answers at debug.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      // Retries of healstream's producers are the transactional loop's job, not kafkajs's.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      const child = { ...extra, component: 'kafkajs' };
      if (isConcurrentTransactions(extra)) logger.debug(child, message);
      else if (level === kafkaLevel.ERROR) logger.error(child, message);
      else if (level === kafkaLevel.WARN) logger.warn(child, message);
      else logger.debug(child, message);
    };
}

let quieted = false;
/**
 * kafkajs computes some timer delays from stale timestamps; Node 24 warns for each negative one
 * (and clamps it to 1 ms, which is what kafkajs means). Silence that one warning, keep the rest.
 */
export function quietKafkajsTimerWarnings(): void {
  if (quieted) return;
  quieted = true;
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const listener of listeners) listener(warning);
  });
}
