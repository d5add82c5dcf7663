import type { Checkpoint } from '@iam/contracts';

/** A checkpoint as received: the message and when (monotonic ms) it arrived. */
export interface ReceivedCheckpoint {
  revision: number;
  sequence: number;
  stream: string;
  /** Monotonic time (the cache's clock) of receipt. */
  receivedAt: number;
  /** Monotonic time (the cache's clock) of receipt, less the age the checkpoint visibly had on arrival. */
  provesAt: number;
}

/** Pending checkpoints kept (newest win): a burst needs one, a paused process sees a handful. */
const MAX_PENDING = 8;

/**
 * Freshness lease (docs/architecture.md#freshness-lease): "fresh as of t" holds when a checkpoint
 * received at t has been followed by the application of every stream message
 * up to its sequence. A checkpoint that arrives before its events waits here
 * until they are applied. `freshAsOf` only moves forwards.
 *
 * Pure: no clock of its own, no I/O. Times are monotonic ms on the cache's
 * clock, passed in by the caller.
 */
export class FreshnessLease {
  /** Monotonic time as of which the cache is proven fresh; -Infinity before the first proof. */
  freshAsOf = -Infinity;
  /** The newest checkpoint that renewed the lease. */
  lastRenewal: ReceivedCheckpoint | undefined;
  /** The newest checkpoint received (renewing or not). */
  lastReceived: ReceivedCheckpoint | undefined;
  /** Checkpoints of this stream whose sequence is not applied yet, oldest first. */
  private pending: ReceivedCheckpoint[] = [];

  /**
   * When a received checkpoint's `issuedAt` proves the state: its receipt
   * time less the age it visibly had on arrival (a checkpoint delayed in a
   * frozen broker or in a paused process's socket buffer proves nothing new).
   * `wallNow` is the local wall clock at receipt (only differences with
   * `issuedAt` are used).
   */
  static provesAt(checkpoint: Pick<Checkpoint, 'issuedAt'>, receivedAtMono: number, wallNow: number): number {
    return receivedAtMono - Math.max(0, wallNow - checkpoint.issuedAt);
  }

  /**
   * A checkpoint of the stream the cache follows. Renews at once when
   * `appliedSequence` has reached it, else waits. Returns true when the lease
   * was renewed.
   */
  receive(checkpoint: ReceivedCheckpoint, appliedSequence: number): boolean {
    this.lastReceived = checkpoint;
    if (checkpoint.sequence <= appliedSequence) return this.renew(checkpoint);
    this.pending.push(checkpoint);
    if (this.pending.length > MAX_PENDING) this.pending.shift();
    return false;
  }

  /**
   * Stream messages up to `appliedSequence` are applied: pending checkpoints
   * they reach renew the lease. Returns the checkpoints that did (for the
   * revision they vouch for), in arrival order.
   */
  applied(appliedSequence: number): ReceivedCheckpoint[] {
    if (this.pending.length === 0) return [];
    const reached: ReceivedCheckpoint[] = [];
    const still: ReceivedCheckpoint[] = [];
    for (const checkpoint of this.pending) (checkpoint.sequence <= appliedSequence ? reached : still).push(checkpoint);
    this.pending = still;
    for (const checkpoint of reached) this.renew(checkpoint);
    return reached;
  }

  /** The oldest checkpoint still waiting for its events (what "checkpoint ahead of applied" is measured from). */
  get oldestPending(): ReceivedCheckpoint | undefined {
    return this.pending[0];
  }

  /** The newest checkpoint still waiting for its events. */
  get newestPending(): ReceivedCheckpoint | undefined {
    return this.pending[this.pending.length - 1];
  }

  /**
   * Forgets waiting checkpoints (the stream was recreated or rewound: their
   * sequences mean something else now). The lease itself is kept: it is a
   * statement about the past, and a gap flush removes what it covered.
   */
  dropPending(): void {
    this.pending = [];
  }

  private renew(checkpoint: ReceivedCheckpoint): boolean {
    if (this.lastRenewal === undefined || checkpoint.provesAt >= this.lastRenewal.provesAt) this.lastRenewal = checkpoint;
    if (checkpoint.provesAt <= this.freshAsOf) return false;
    this.freshAsOf = checkpoint.provesAt;
    return true;
  }
}
