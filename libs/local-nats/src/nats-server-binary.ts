import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Directories searched after PATH (Debian puts the binary in /usr/sbin, which is not on every PATH). */
export const NATS_SERVER_FALLBACK_DIRS: readonly string[] = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'];

const BINARY_NAME = 'nats-server';

/**
 * Finds the `nats-server` executable: first on `PATH` (in `env`), then in
 * {@link NATS_SERVER_FALLBACK_DIRS}. Returns its absolute path, or `null`.
 */
export function findNatsServerBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  const pathDirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir.length > 0);
  for (const dir of [...pathDirs, ...NATS_SERVER_FALLBACK_DIRS]) {
    const candidate = join(dir, BINARY_NAME);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
