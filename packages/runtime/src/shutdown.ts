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
  // Started by `healstream start` or the demo in a process group of its own: when that parent
  // dies without stopping it (kill -9), stop as if told to, rather than run on unattended.
  if (process.env['HEALSTREAM_STOP_WITH_PARENT'] === '1') {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent && !stopping) handler('SIGTERM');
    }, 1000).unref();
  }
}
