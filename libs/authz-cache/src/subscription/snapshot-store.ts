import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CacheSnapshot } from '../core/types';

/** What is written to disk: the core's snapshot plus the identity of the stream it reflects. */
export interface SnapshotFile {
  format: 1;
  service: string;
  /** The stream's `created` time when the snapshot was taken: a recreated stream invalidates it. */
  streamCreated: string;
  snapshot: CacheSnapshot;
}

/**
 * Reads and writes cache snapshots. Writes are atomic (temp file + rename),
 * so a crash mid-write leaves the previous snapshot, never a torn one.
 * Snapshots hold identity entries keyed by sha256(token), never a token.
 */
export class SnapshotStore {
  constructor(readonly path: string) {}

  async write(file: SnapshotFile): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(file), { mode: 0o600 });
      await rename(tmp, this.path);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  /** The snapshot on disk, or undefined when there is none or it cannot be read (with the reason). */
  async read(): Promise<{ file?: SnapshotFile; problem?: string }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { problem: `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    try {
      const file = JSON.parse(text) as SnapshotFile;
      if (file?.format !== 1 || typeof file.streamCreated !== 'string' || file.snapshot?.format !== 1 || !Number.isInteger(file.snapshot.streamSequence)) {
        return { problem: 'unknown format' };
      }
      return { file };
    } catch {
      return { problem: 'not valid JSON' };
    }
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
