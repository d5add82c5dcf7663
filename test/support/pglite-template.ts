import { spawn } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './scratch';

/**
 * An empty, initialised PGlite data directory made once per jest run
 * (global-setup.ts), which every test's PGlite database starts as a copy of.
 *
 * Why: a fresh PGlite directory runs initdb in WebAssembly, ~7-10 s of CPU
 * on this 2-core machine (measured: 6.6-12.6 s CPU, 43-70 s wall at load
 * ~15), while opening a copy of an initialised one costs ~0.7 s. Some forty
 * suites and child authorities open one; initdb was the largest single CPU
 * cost of `npm test`. A copy is what a fresh directory becomes after
 * initdb (same files): the authority still migrates it from empty, as in
 * production. The quick start (`npm start`, test/e2e/stack-and-demo) keeps
 * its real first-run initdb.
 */

/** Environment variable carrying the template's path from globalSetup to the workers. */
export const PGLITE_TEMPLATE_ENV = 'IAM_TEST_PGLITE_TEMPLATE';

/** Creates the template in a new temp directory (in a child node: PGlite's WASM stays out of jest's process). Resolves its path. */
export async function createPgliteTemplate(root: string): Promise<string> {
  const dir = scratchDir('iam-pglite-template-');
  const script = "const {PGlite}=require('@electric-sql/pglite');PGlite.create(process.argv[1]).then(async(db)=>{await db.query('select 1');await db.close();}).catch((e)=>{console.error(e);process.exit(1);});";
  const code = await new Promise<number | null>((resolveRun, rejectRun) => {
    const child = spawn(process.execPath, ['-e', script, dir], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', rejectRun);
    child.once('exit', resolveRun);
  });
  if (code !== 0 || !existsSync(join(dir, 'PG_VERSION'))) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`globalSetup: creating the PGlite template in ${dir} failed (exit ${code})`);
  }
  return dir;
}

/**
 * Fills the empty directory `dir` with a copy of the run's template, when
 * globalSetup made one. Returns whether it did: without a template (a run
 * without the integration project's globalSetup) PGlite runs initdb itself.
 */
export function seedFromPgliteTemplate(dir: string): boolean {
  const template = process.env[PGLITE_TEMPLATE_ENV];
  if (!template || !existsSync(join(template, 'PG_VERSION'))) return false;
  cpSync(template, dir, { recursive: true });
  return true;
}
