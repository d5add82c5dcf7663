import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { NATS_TEST_RUNTIME_ENV, natsTestRuntime } from './container-runtime';

/**
 * Runs once per jest run, before the integration workers start:
 * - compiles the workspace to dist/, so integration tests can start apps as
 *   real child processes (to SIGKILL and restart them);
 * - decides once whether NATS test servers run in containers or locally,
 *   and hands the answer to the workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  } catch {
    // tsc still emits on type errors; `npm test` type-checks first, so a
    // type error fails the run there. Here, keep going with what was emitted.
    console.warn('globalSetup: tsc reported errors (see above); dist/ was emitted anyway');
  }
  execFileSync('npx', ['tsc-alias', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  process.env[NATS_TEST_RUNTIME_ENV] = await natsTestRuntime();
}
