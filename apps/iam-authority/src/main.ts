import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { startAuthority } from './bootstrap';

/** Entry point: start, then close gracefully on SIGINT/SIGTERM (a second signal exits at once). */
async function main(): Promise<void> {
  const logger = new Logger('IamAuthority');
  let authority: Awaited<ReturnType<typeof startAuthority>>;
  try {
    authority = await startAuthority(process.env);
  } catch (error) {
    const err = error as Error & { code?: string };
    logger.error(`start-up failed${err.code ? ` [${err.code}]` : ''}: ${err.message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.log(`${signal} received: shutting down`);
    authority
      .close()
      .then(() => process.exit(0))
      .catch((error: Error) => {
        logger.error(`shutdown failed: ${error.message}`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
