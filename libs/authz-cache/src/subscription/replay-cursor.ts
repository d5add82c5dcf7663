/*
 * The replay's sequence-continuity decisions, free of NATS and timers: the
 * replayer reports what arrived (and, when nothing did for a while, what the
 * server says about its consumer) and carries out the answer.
 *
 * Why continuity is checked, not assumed: the replay consumer does not ack
 * (AckPolicy.None), so a message the server sent that never reached the
 * callback (a pull ended while it travelled, a subscription closed under it)
 * is never redelivered. With 8,192 messages per fetch an earlier version
 * applied 193,932 of 200,000 events and reported success (lib README).
 */

/** What to do with a delivered stream sequence. */
export type ReplayOffer =
  /** The next one: apply it. */
  | 'apply'
  /** Already applied (a re-created consumer overlaps): ignore it. */
  | 'skip'
  /** Past the replay's end (published after it started): the replay is over. */
  | 'end'
  /** A jump past the next expected sequence: re-create the consumer from the last applied + 1. */
  | 'restart';

/** What the server says about the current consumer (consumer info), asked after an idle window. */
export interface IdleFacts {
  /** Messages the consumer still has to deliver (`num_pending`). */
  numPending: number;
  /** Messages the consumer has sent so far (`delivered.consumer_seq`). */
  delivered: number;
  /** Messages this consumer's subscription has received so far (counted by the replayer). */
  received: number;
}

/** What to do after an idle window. */
export type ReplayIdle =
  /** Nothing is left to deliver and nothing sent is missing: the replay is over (the rest was deleted or purged). */
  | 'end'
  /** Messages were sent and not received, or are pending and not sent: re-create the consumer from the last applied + 1. */
  | 'restart'
  /** {@link MAX_IDLE_RESTARTS} re-created consumers in a row brought nothing: fail loudly rather than report a short replay as done. */
  | 'fail';

/** Consecutive idle re-creations without one applied event before the replay fails. */
export const MAX_IDLE_RESTARTS = 5;

/**
 * Tracks the last applied sequence of a replay up to `to` and decides, per
 * delivered sequence and per idle window, whether to apply, skip, end or
 * re-create the consumer. A jump right after a re-creation is believed (the
 * first message of a fresh consumer starting at last + 1 is the first one
 * that exists: the rest was deleted, purged or aged out); any other jump is
 * a lost message and re-creates the consumer.
 */
export class ReplayCursor {
  private lastApplied: number | undefined;
  private restartedAfter: number | undefined;
  private idleRestarts = 0;

  /**
   * @param to the stream's last sequence when the replay started (inclusive end).
   * @param start the first sequence asked for; unknown for a replay by time.
   */
  constructor(
    readonly to: number,
    start?: number,
  ) {
    this.lastApplied = start !== undefined ? start - 1 : undefined;
  }

  /** The last applied sequence (start - 1 before the first; undefined for a replay by time before the first). */
  get last(): number | undefined {
    return this.lastApplied;
  }

  /** Whether everything up to `to` has been applied. */
  get complete(): boolean {
    return this.lastApplied !== undefined && this.lastApplied >= this.to;
  }

  /** Decides about a delivered sequence; call {@link applied} after applying it. */
  offer(sequence: number): ReplayOffer {
    const last = this.lastApplied;
    if (last !== undefined && sequence <= last) return 'skip';
    // Before the end check: a message past the end that skips unapplied ones means those were lost.
    if (last !== undefined && sequence > last + 1 && this.restartedAfter !== last) return 'restart';
    if (sequence > this.to) return 'end';
    return 'apply';
  }

  /** Records an applied sequence (one {@link offer} answered `apply`). */
  applied(sequence: number): void {
    this.lastApplied = sequence;
    this.idleRestarts = 0;
  }

  /** Records that the consumer is re-created from the last applied + 1. */
  restarting(): void {
    this.restartedAfter = this.lastApplied;
  }

  /** Decides after a window in which nothing arrived; `restart` must be followed by {@link restarting}. */
  idle(facts: IdleFacts): ReplayIdle {
    if (facts.delivered <= facts.received && facts.numPending === 0) return 'end';
    this.idleRestarts += 1;
    return this.idleRestarts > MAX_IDLE_RESTARTS ? 'fail' : 'restart';
  }
}
