/** Pull window: how many messages may be asked for at once, and below how many outstanding a new pull is sent. */
export interface PullWindow {
  readonly max_messages: number;
  readonly threshold_messages: number;
}

interface OutstandingPull {
  /** When the server drops it at the latest, by our clock: sent + expires (the server counts from when it read it, later). */
  readonly expiresAt: number;
  /** Messages still owed by it, by our books (never more than the server's: see {@link PullPlan.received}). */
  remaining: number;
}

/**
 * When to send a JetStream pull request, and for how many messages: the
 * pure decision core of {@link PullLoop}, driven by a clock it is given.
 *
 * Why not nats.js `consume()`: a pull request whose `expires` has passed is
 * dropped by nats-server (2.9) *without* its 408 when a message reaches the
 * consumer before the server's expiry timer runs (`nextWaiting`). A broker
 * frozen across an expiry, or a busy one, does that; `consume()` then
 * believes its pull is still outstanding and waits for two missed idle
 * heartbeats before pulling again, and the event waits with it. Here a pull
 * is never trusted past its expiry: a fresh one is always sent while an
 * older one still has half its lifetime left, so the server always holds a
 * request that has not expired, whatever happened to the older ones.
 *
 * The books are kept conservative. The server shares a message stream
 * round-robin among waiting requests, so which request a message used up is
 * unknown; it is counted against the newest one, so an older request that
 * expires takes at least as much credit off our books as off the server's.
 * Believing in less credit than the server holds costs an extra pull;
 * believing in more would stall.
 */
export class PullPlan {
  /** Oldest first. */
  private pulls: OutstandingPull[] = [];

  constructor(
    private readonly window: PullWindow,
    private readonly expiresMs: number,
  ) {
    if (!(window.threshold_messages >= 0 && window.threshold_messages < window.max_messages)) {
      throw new RangeError(`pull window: threshold_messages (${window.threshold_messages}) must be in [0, max_messages (${window.max_messages}))`);
    }
    if (!(expiresMs > 0)) throw new RangeError(`pull expiry must be positive, got ${expiresMs}`);
  }

  /** Messages owed by pulls that have not expired at `now`. */
  credit(now: number): number {
    this.expire(now);
    let credit = 0;
    for (const pull of this.pulls) credit += pull.remaining;
    return credit;
  }

  /**
   * How many messages to pull at `now` (0: none): when the credit is at or
   * below the threshold, or when no request with credit has more than half
   * its lifetime left. The caller sends the pull and reports it with
   * {@link sent}.
   */
  next(now: number): number {
    this.expire(now);
    let credit = 0;
    let freshCredit = 0;
    for (const pull of this.pulls) {
      credit += pull.remaining;
      if (pull.expiresAt - now > this.expiresMs / 2) freshCredit += pull.remaining;
    }
    if (credit > this.window.threshold_messages && freshCredit > 0) return 0;
    return this.window.max_messages - freshCredit;
  }

  /** A pull for `batch` messages was sent at `now`. */
  sent(now: number, batch: number): void {
    if (batch > 0) this.pulls.push({ expiresAt: now + this.expiresMs, remaining: batch });
  }

  /** A message arrived: it is counted against the newest request that still owes any. */
  received(now: number): void {
    this.expire(now);
    for (let i = this.pulls.length - 1; i >= 0; i -= 1) {
      const pull = this.pulls[i];
      if (pull.remaining > 0) {
        pull.remaining -= 1;
        if (pull.remaining === 0) this.pulls.splice(i, 1);
        return;
      }
    }
  }

  /** Every outstanding request is gone on the server (reconnect, leadership change, refused). */
  lost(): void {
    this.pulls = [];
  }

  private expire(now: number): void {
    let expired = 0;
    while (expired < this.pulls.length && this.pulls[expired].expiresAt <= now) expired += 1;
    if (expired > 0) this.pulls.splice(0, expired);
  }
}
