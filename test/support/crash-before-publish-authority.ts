import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { startAuthority } from '../../apps/iam-authority/src/bootstrap';

/*
 * A test entry point, never shipped with the authority: starts the authority
 * from the environment with a relay hook that SIGKILLs this process just
 * before its first publish, to prove that an event committed but not yet
 * published survives a crash (test/authority/crash-recovery.e2e-spec.ts).
 * Compiled to dist/test/support/ by the integration project's globalSetup.
 */
const logger = new Logger('CrashBeforePublish');

async function crashBeforePublish(revision: number): Promise<void> {
  logger.warn(`killing this process before publishing revision ${revision} (test hook)`);
  // A short pause lets the HTTP response of the committed mutation leave first; nothing is published meanwhile.
  await new Promise((resolvePause) => setTimeout(resolvePause, 200));
  process.kill(process.pid, 'SIGKILL');
  await new Promise(() => undefined);
}

startAuthority(process.env, { beforePublish: crashBeforePublish }).catch((error: Error) => {
  logger.error(`start-up failed: ${error.message}`);
  process.exit(1);
});
