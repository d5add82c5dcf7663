import { Logger } from '@nestjs/common';

/**
 * TEST HOOK (IAM_TEST_CRASH_BEFORE_PUBLISH=1), given to the relay as its
 * `beforePublish`: SIGKILLs this process just before the first publish, to
 * prove that an event committed but not yet published survives a crash.
 * Never set it in production.
 */
export function crashBeforePublish(logger = new Logger('OutboxRelay')): (revision: number) => Promise<void> {
  return async (revision) => {
    logger.warn(`IAM_TEST_CRASH_BEFORE_PUBLISH: killing this process before publishing revision ${revision} (test hook)`);
    // A short pause lets the HTTP response of the committed mutation leave first; nothing is published meanwhile.
    await new Promise((resolvePause) => setTimeout(resolvePause, 200));
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => undefined);
  };
}
