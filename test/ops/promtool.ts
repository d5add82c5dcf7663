import { spawnSync, SpawnSyncReturns } from 'node:child_process';

/** Where the ops kit lives, relative to the repository root. */
export const OBSERVABILITY_DIR = 'docker/observability';

/**
 * Runs the real `promtool` (Debian package `prometheus`, installed by
 * `.ci/run`). A missing promtool is a failure, not a skip: the checks it
 * makes are the point of the test.
 */
export function promtool(args: string[], options: { cwd: string; input?: string }): SpawnSyncReturns<string> {
  const result = spawnSync('promtool', args, { cwd: options.cwd, input: options.input, encoding: 'utf8', timeout: 60_000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('promtool not found on PATH: install it with `apt-get install -y prometheus` (.ci/run does)');
  }
  if (result.error) throw result.error;
  return result;
}
