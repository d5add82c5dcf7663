import { Logger } from '@nestjs/common';
import type { StreamInfo } from '@nats-io/jetstream';
import type { AuthzCacheCore } from '../core/authz-cache-core';
import { SnapshotStore } from './snapshot-store';

/**
 * Restores the caches from a snapshot at start-up when it is still
 * trustworthy, and writes snapshots (periodically and on shutdown). A
 * snapshot is trusted only for the same stream (same `created` time) that
 * still holds the next sequence after it and is not behind it.
 */
export class SnapshotKeeper {
  private readonly logger = new Logger('InvalidationSubscriber');
  private readonly store: SnapshotStore;
  /** ISO time of the last snapshot written. */
  lastWrittenAt: string | undefined;

  constructor(
    path: string,
    private readonly serviceName: string,
    private readonly core: AuthzCacheCore,
  ) {
    this.store = new SnapshotStore(path);
  }

  /** Restores a valid snapshot into the core; returns the stream sequence it reflects, or undefined (discarded / none). */
  async restore(info: StreamInfo): Promise<number | undefined> {
    const { file, problem } = await this.store.read();
    if (!file) {
      if (problem) this.logger.warn(`snapshot ${this.store.path} discarded: ${problem}`);
      return undefined;
    }
    const seq = file.snapshot.streamSequence;
    let reason: string | undefined;
    if (file.streamCreated !== info.created) reason = 'the stream was recreated since it was taken';
    else if (seq + 1 < info.state.first_seq) reason = `it reflects seq ${seq} but the stream now starts at seq ${info.state.first_seq}`;
    else if (seq > info.state.last_seq) reason = `it reflects seq ${seq}, beyond the stream's last seq ${info.state.last_seq}`;
    if (reason) {
      this.logger.warn(`snapshot ${this.store.path} discarded: ${reason}`);
      await this.store.remove().catch(() => undefined);
      return undefined;
    }
    try {
      this.core.restore(file.snapshot);
    } catch (error) {
      this.core.flush();
      this.logger.warn(`snapshot ${this.store.path} discarded: it could not be restored (${(error as Error).message})`);
      return undefined;
    }
    const stats = this.core.stats();
    this.logger.log(`snapshot restored at seq ${seq} (${stats.decisionEntries} decisions, ${stats.identityEntries} identities); replaying from seq ${seq + 1}`);
    return seq;
  }

  /** Writes the caches as of `streamSequence` of the stream created at `streamCreated`; failures are logged, not thrown. */
  async write(streamSequence: number, streamCreated: string): Promise<void> {
    try {
      // core.snapshot is synchronous: it and `streamSequence` describe the same moment.
      const snapshot = this.core.snapshot(streamSequence);
      await this.store.write({ format: 1, service: this.serviceName, streamCreated, snapshot });
      this.lastWrittenAt = snapshot.takenAt;
    } catch (error) {
      this.logger.warn(`snapshot not written: ${(error as Error).message}`);
    }
  }
}
