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
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync('npx', ['tsc-alias', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  process.env[NATS_TEST_RUNTIME_ENV] = await natsTestRuntime();
}
