import type { Logger } from './logger.js';

/**
 * On SIGTERM or SIGINT: run `stop` once (stop consuming, finish the in-flight transaction,
 * flush), then exit 0. A second signal exits at once with 130.
 */
export function onShutdownSignal(
  logger: Logger,
  stop: () => Promise<void>,
  exit: (code: number) => void = process.exit,
): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(130);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => {
        logger.info('stopped cleanly');
        logger.flush?.();
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
