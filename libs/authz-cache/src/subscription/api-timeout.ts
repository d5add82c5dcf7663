import { TimeoutError } from '@nats-io/nats-core';

/**
 * A JetStream API timeout that adapts to how fast the server answers.
 *
 * Short at first: during a cluster election the server does not answer at
 * all, and a short timeout lets the next attempt (150 ms later) reach the
 * new leader as soon as there is one. Doubled after each timeout, up to a
 * ceiling, and back to the base after an answer: a cluster that is slow
 * rather than silent (a loaded machine, a node down while the others keep
 * retrying their routes to it) may answer in more than the base, and a
 * fixed timeout would then never succeed, every attempt abandoned just
 * before its answer (each leaving an orphan consumer behind).
 */
export class ApiTimeout {
  private current: number;

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
  ) {
    if (!(baseMs > 0 && maxMs >= baseMs)) throw new RangeError(`ApiTimeout: need 0 < baseMs <= maxMs, got ${baseMs} and ${maxMs}`);
    this.current = baseMs;
  }

  /** The timeout for the next request. */
  get ms(): number {
    return this.current;
  }

  /** Records the outcome of a request made with {@link ms}: a timeout doubles it, anything else (an answer, even an error) resets it. */
  settled(error?: unknown): void {
    this.current = error !== undefined && isTimeout(error) ? Math.min(this.maxMs, this.current * 2) : this.baseMs;
  }
}

/** Whether `error` (or an error in its `cause` chain) is a NATS request timeout. */
export function isTimeout(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof TimeoutError) return true;
  }
  return false;
}
