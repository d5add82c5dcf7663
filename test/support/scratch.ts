import { accessSync, constants, mkdtempSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Overrides where tests put their temporary directories. */
export const SCRATCH_ENV = 'IAM_TEST_SCRATCH';

/** Free space /dev/shm must have to be used. */
const SHM_MIN_FREE_BYTES = 2 * 1024 ** 3;

let root: string | undefined;

/**
 * Where tests put temporary directories (PGlite data, nats-server storage,
 * packed installs): `IAM_TEST_SCRATCH` when set, else /dev/shm when it is a
 * writable tmpfs with 2 GiB free, else the OS temp dir. Why: on this
 * machine's disk, copying the 39 MB PGlite template took ~1.1 s of system
 * CPU per database and on tmpfs 0.15 s, and every write of PGlite and
 * nats-server is cheaper there. Tests remove what they make; a run that is
 * killed may leave directories behind (`iam-*` in that directory).
 */
export function scratchRoot(): string {
  if (root !== undefined) return root;
  root = process.env[SCRATCH_ENV] || (shmUsable() ? '/dev/shm' : tmpdir());
  return root;
}

/** A new empty directory `<scratch root>/<prefix>XXXXXX`. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(scratchRoot(), prefix));
}

function shmUsable(): boolean {
  try {
    accessSync('/dev/shm', constants.W_OK);
    const stats = statfsSync('/dev/shm');
    return stats.bavail * stats.bsize >= SHM_MIN_FREE_BYTES;
  } catch {
    return false;
  }
}
