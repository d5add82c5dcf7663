import { Logger } from '@nestjs/common';

/**
 * Runs `close` once on the first SIGINT or SIGTERM, then exits 0 (1 if
 * closing failed). A second signal while closing exits at once.
 */
export function closeOnSignals(name: string, close: () => Promise<void>): void {
  const logger = new Logger(name);
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    closing = true;
    logger.log(`${signal} received: shutting down`);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
