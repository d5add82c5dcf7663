/** What the relay lease keeper must do next (see {@link LeaseState.next}). */
export type LeaseAction = 'acquire' | 'renew' | 'none';

/**
 * The holder's side of the relay lease, as a pure decision core over a
 * monotonic clock (`now` in ms, e.g. `performance.now()`; it keeps running
 * while the process is paused, which is the point).
 *
 * The database grants the lease until `now_db + ttl`, where `now_db` is read
 * AFTER the request left (`sentAt`). So the holder may believe it holds the
 * lease until `sentAt + ttl` by its own clock, less a margin for clocks
 * running at slightly different rates; a standby only takes the lease after
 * the database's `lease_until`, i.e. never before this local deadline. A
 * holder frozen past its deadline (SIGSTOP, a GC pause) finds {@link held}
 * false on waking and must renew (which fails when a standby took the lease
 * meanwhile) before doing anything.
 */
export class LeaseState {
  private epochHeld: number | null = null;
  private deadline = Number.NEGATIVE_INFINITY;
  private renewedAt = Number.NEGATIVE_INFINITY;

  /**
   * @param ttlMs lease time to live granted by the database
   * @param renewEveryMs how often the holder renews (the checkpoint interval)
   * @param marginMs subtracted from the local deadline (default ttl / 10)
   */
  constructor(
    private readonly ttlMs: number,
    private readonly renewEveryMs: number,
    private readonly marginMs: number = Math.ceil(ttlMs / 10),
  ) {}

  /** The epoch of the lease this instance believes it was granted (null: none). */
  get epoch(): number | null {
    return this.epochHeld;
  }

  /** The database granted (or renewed) lease `epoch` in reply to a request sent at `sentAt`. */
  granted(epoch: number, sentAt: number): void {
    this.epochHeld = epoch;
    this.deadline = sentAt + this.ttlMs - this.marginMs;
    this.renewedAt = sentAt;
  }

  /** A renewal was refused: another instance holds the lease now. */
  lost(): void {
    this.epochHeld = null;
    this.deadline = Number.NEGATIVE_INFINITY;
  }

  /** Whether publishing (events, checkpoints) is allowed at `now`. */
  held(now: number): boolean {
    return this.epochHeld !== null && now < this.deadline;
  }

  /** What to ask the database at `now`: take the lease, renew it, or nothing yet. */
  next(now: number): LeaseAction {
    if (this.epochHeld === null) return 'acquire';
    if (!this.held(now) || now - this.renewedAt >= this.renewEveryMs) return 'renew';
    return 'none';
  }
}
