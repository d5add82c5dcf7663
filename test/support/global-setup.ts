import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { NATS_TEST_RUNTIME_ENV, natsTestRuntime } from './container-runtime';
import { createPgliteTemplate, PGLITE_TEMPLATE_ENV } from './pglite-template';

/** Set by `npm test`: type-check the whole workspace here, alongside the builds. */
export const TYPECHECK_ENV = 'IAM_TEST_TYPECHECK';

/**
 * Runs once per jest run, before the integration workers start:
 * - compiles the libs (each to its own dist/) and the workspace to dist/,
 *   so integration tests can start apps as real child processes (to SIGKILL
 *   and restart them) and pack the libs;
 * - with IAM_TEST_TYPECHECK=1 (`npm test`), type-checks everything
 *   (`npm run typecheck`) at the same time, on the other core, and fails the
 *   run before any test on a type error;
 * - decides once whether NATS test servers run in containers or locally,
 *   and hands the answer to the workers through the environment;
 * - initialises one empty PGlite data directory that every PGlite test
 *   database starts as a copy of (initdb once, not once per suite), removed
 *   by global-teardown.ts.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
  // Incremental: a run after a small change re-checks what it touches (~9 s of CPU instead of ~25 here).
  // The build info lives in node_modules/.cache; a fresh clone checks everything.
  const typecheck =
    process.env[TYPECHECK_ENV] === '1'
      ? tsc(root, ['-p', 'tsconfig.json', '--noEmit', '--incremental', '--tsBuildInfoFile', join('node_modules', '.cache', 'iam-typecheck.tsbuildinfo')])
      : Promise.resolve(true);
  const runtime = natsTestRuntime();
  const template = createPgliteTemplate(root);
  // The libs first (each to libs/<lib>/dist, with declarations): the apps
  // compile against those declarations and load them at run time through the
  // workspace links in node_modules/@iam/*. Emit only (--noCheck, the same
  // output): type errors are the type-check's to report, and tsc emits on
  // them anyway.
  const built = (async () => {
    const libs = await tsc(root, ['-b', 'libs/tsconfig.build.json', '--noCheck']);
    // Its build info sits in dist/ itself: deleting dist/ rebuilds everything (tsc would otherwise believe its outputs exist).
    const apps = await tsc(root, ['-p', 'tsconfig.build.json', '--noCheck', '--incremental', '--tsBuildInfoFile', join('dist', '.tsbuildinfo-apps')]);
    return libs && apps;
  })();
  const [typesOk, buildOk, templateDir] = await Promise.all([typecheck, built, template]);
  process.env[PGLITE_TEMPLATE_ENV] = templateDir;
  if (!typesOk) {
    rmSync(templateDir, { recursive: true, force: true });
    throw new Error('globalSetup: the type-check (tsc -p tsconfig.json --noEmit) failed, see above');
  }
  if (!buildOk) console.warn('globalSetup: building the libs or the apps reported errors (see above); what was emitted is used');
  process.env[NATS_TEST_RUNTIME_ENV] = await runtime;
}

/** Runs the workspace's tsc with `args`; resolves whether it exited 0 (its output goes to the terminal). */
function tsc(root: string, args: string[]): Promise<boolean> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), ...args], { cwd: root, stdio: 'inherit' });
    child.once('error', rejectRun);
    child.once('exit', (code) => resolveRun(code === 0));
  });
}
