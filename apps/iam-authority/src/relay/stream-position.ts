/** Where a checkpoint points: a sequence of one stream (identified by its `created`). */
export interface CheckpointPosition {
  sequence: number;
  stream: string;
}

/**
 * What the relay knows of the stream, to fill a checkpoint's `sequence` and
 * `stream` without asking JetStream every time (pure; time is passed in).
 *
 * The sequence must be at or after the stream sequence of every event up to
 * the checkpoint's revision. The PubAck of this relay's last publish says so
 * exactly (a duplicate's PubAck carries the original sequence), as long as
 * the lease did not change hands since (another holder may have published
 * later events) and the stream is the same. Otherwise the stream's
 * `last_seq`, read AFTER the committed state, is an upper bound and is used.
 * The stream's identity is re-read every `refreshMs`, so a stream deleted and
 * re-created by someone else is noticed within that time.
 */
export class StreamPosition {
  private stream: { created: string; checkedAt: number } | null = null;
  private lastAck: { revision: number; sequence: number } | null = null;

  constructor(private readonly refreshMs: number) {}

  /** Forget everything (lease changed hands, stream provisioned again). */
  reset(): void {
    this.stream = null;
    this.lastAck = null;
  }

  /** JetStream acknowledged the event of `revision` at `sequence` on the current stream. */
  acknowledged(revision: number, sequence: number): void {
    if (this.lastAck === null || sequence >= this.lastAck.sequence) this.lastAck = { revision, sequence };
  }

  /**
   * The position of a checkpoint at `revision`, known without asking the
   * stream; null when stream info must be read first (then call {@link fromStreamInfo}).
   */
  known(revision: number, now: number): CheckpointPosition | null {
    if (!this.stream || now - this.stream.checkedAt >= this.refreshMs) return null;
    if (revision === 0) return { sequence: 0, stream: this.stream.created };
    if (!this.lastAck || this.lastAck.revision < revision) return null;
    return { sequence: this.lastAck.sequence, stream: this.stream.created };
  }

  /**
   * The position of a checkpoint at `revision` from stream info read after
   * the committed state (`created`, `lastSeq`), remembering the stream.
   */
  fromStreamInfo(revision: number, created: string, lastSeq: number, now: number): CheckpointPosition {
    if (this.stream && this.stream.created !== created) this.lastAck = null;
    this.stream = { created, checkedAt: now };
    const acked = this.lastAck && this.lastAck.revision >= revision ? this.lastAck.sequence : null;
    return { sequence: acked !== null && acked <= lastSeq ? acked : lastSeq, stream: created };
  }
}
