import { TimeoutError } from '@nats-io/nats-core';

/**
 * How a JetStream API request that may go unanswered is sent again.
 *
 * In a cluster a request can be lost without a word: during a stream or
 * meta leader election nobody answers it (and it is not answered later
 * either: the new leader never saw it), and an R1 consumer is placed at
 * random on one of the stream's peers, a dead one included, whose creation
 * is then never answered (nats-server 2.9 `createGroupForConsumer`; 1 in 3
 * with one node of three down, for as long as it is down). Waiting out a
 * timeout per attempt turns each loss into seconds; so a new attempt is
 * sent after a short gap while the earlier ones still wait for their
 * answers, and the first answer wins.
 */
export interface HedgePolicy {
  /** Gap between the first and the second attempt; each later gap doubles, up to {@link maxGapMs}. */
  readonly firstGapMs: number;
  readonly maxGapMs: number;
  /**
   * The call fails after this long without an answer, with a timeout (the
   * caller retries); each attempt waits as long for its own answer, so a
   * slow cluster still answers.
   */
  readonly timeoutMs: number;
}

/**
 * For the cache's JetStream API requests: attempts at 0, 0.25, 0.75, 1.75,
 * 3.75 and 5.75 s. One client sends at most 6 requests per 6 s to a cluster
 * that does not answer (one a second, as a fixed retry every second would),
 * and an answer a live leader can give is asked for within 2 s of its
 * election, within 0.25 s in the first second.
 */
export const JS_API_HEDGE: HedgePolicy = { firstGapMs: 250, maxGapMs: 2000, timeoutMs: 6000 };

/** What to do with an attempt's outcome. */
export type HedgeVerdict =
  /** The call's result: resolve (an answer) or reject (a refusal) with it. */
  | 'settle'
  /** A success after the call settled: the caller undoes it (deletes a consumer it created). */
  | 'late'
  /** Nothing: a timeout while other attempts may still answer, or a failure after the call settled. */
  | 'ignore';

/**
 * The decisions of a hedged call, on a clock the caller passes in (pure:
 * no timers, no I/O): when the next attempt is due, whether an outcome
 * settles the call, when it times out.
 */
export class HedgePlan {
  private sentCount = 0;
  private nextAt: number;
  private gap: number;
  private done = false;
  readonly deadline: number;

  constructor(
    private readonly policy: HedgePolicy,
    startedAt: number,
  ) {
    if (!(policy.firstGapMs > 0 && policy.maxGapMs >= policy.firstGapMs && policy.timeoutMs > 0)) {
      throw new RangeError(`HedgePolicy: need 0 < firstGapMs <= maxGapMs and timeoutMs > 0, got ${JSON.stringify(policy)}`);
    }
    this.nextAt = startedAt;
    this.gap = policy.firstGapMs;
    this.deadline = startedAt + policy.timeoutMs;
  }

  /** Whether the call has settled (answered, refused or timed out). */
  get settled(): boolean {
    return this.done;
  }

  /** Attempts sent so far. */
  get attempts(): number {
    return this.sentCount;
  }

  /** When the next attempt is due, or undefined: the call settled, or none goes out at or after the deadline. */
  nextAttemptAt(): number | undefined {
    return this.done || this.nextAt >= this.deadline ? undefined : this.nextAt;
  }

  /** An attempt went out at `now` (at or after {@link nextAttemptAt}). */
  sent(now: number): void {
    this.sentCount += 1;
    this.nextAt = Math.max(this.nextAt, now) + this.gap;
    this.gap = Math.min(this.policy.maxGapMs, this.gap * 2);
  }

  /** An attempt answered with success. */
  answered(): HedgeVerdict {
    return this.settle() ? 'settle' : 'late';
  }

  /** An attempt failed: a timeout waits for the others, a refusal (the server answered no) settles the call. */
  failed(timedOut: boolean): HedgeVerdict {
    if (timedOut) return 'ignore';
    return this.settle() ? 'settle' : 'ignore';
  }

  /** Whether the call times out at `now` (at or after the deadline, not settled); settles it if so. */
  expired(now: number): boolean {
    return now >= this.deadline && this.settle();
  }

  private settle(): boolean {
    if (this.done) return false;
    this.done = true;
    return true;
  }
}

/** Whether `error` (or an error in its `cause` chain) is a NATS request timeout. */
export function isTimeout(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof TimeoutError) return true;
  }
  return false;
}

/**
 * Runs `attempt` as {@link HedgePlan} says: resolves with the first
 * answer, rejects with the first refusal, or with a {@link TimeoutError}
 * after `policy.timeoutMs` without either. Each attempt gets
 * `policy.timeoutMs` as its own timeout. A success after the call settled
 * is handed to `onLate` (to undo what it did); later failures are dropped.
 */
export function hedged<T>(attempt: (timeoutMs: number) => Promise<T>, policy: HedgePolicy, onLate?: (value: T) => void): Promise<T> {
  const plan = new HedgePlan(policy, performance.now());
  return new Promise<T>((resolve, reject) => {
    let next: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      if (!plan.expired(Math.max(performance.now(), plan.deadline))) return;
      clearTimeout(next);
      reject(new TimeoutError());
    }, policy.timeoutMs);
    const finish = (): void => {
      clearTimeout(deadline);
      clearTimeout(next);
    };
    const send = (): void => {
      if (plan.nextAttemptAt() === undefined) return;
      plan.sent(performance.now());
      let pending: Promise<T>;
      try {
        pending = attempt(policy.timeoutMs);
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          const verdict = plan.answered();
          if (verdict === 'settle') {
            finish();
            resolve(value);
          } else if (verdict === 'late') {
            onLate?.(value);
          }
        },
        (error: unknown) => {
          if (plan.failed(isTimeout(error)) !== 'settle') return;
          finish();
          reject(error);
        },
      );
      const at = plan.nextAttemptAt();
      if (at !== undefined) next = setTimeout(send, Math.max(0, at - performance.now()));
    };
    send();
  });
}
