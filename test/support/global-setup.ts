import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { NATS_TEST_RUNTIME_ENV, natsTestRuntime } from './container-runtime';

/**
 * Runs once per jest run, before the integration workers start:
 * - compiles the libs (each to its own dist/) and the workspace to dist/,
 *   so integration tests can start apps as real child processes (to SIGKILL
 *   and restart them) and pack the libs;
 * - decides once whether NATS test servers run in containers or locally,
 *   and hands the answer to the workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
  // The libs first (each to libs/<lib>/dist, with declarations): the apps
  // compile against those declarations and load them at run time through the
  // workspace links in node_modules/@iam/*.
  build(root, ['tsc', '-b', 'libs/tsconfig.build.json']);
  build(root, ['tsc', '-p', 'tsconfig.build.json']);
  process.env[NATS_TEST_RUNTIME_ENV] = await natsTestRuntime();
}

function build(root: string, args: string[]): void {
  try {
    execFileSync('npx', args, { cwd: root, stdio: 'inherit' });
  } catch {
    // tsc still emits on type errors; `npm test` type-checks first, so a
    // type error fails the run there. Here, keep going with what was emitted.
    console.warn(`globalSetup: ${args.join(' ')} reported errors (see above); its output was emitted anyway`);
  }
}
