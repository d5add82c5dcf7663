import { Logger } from '@nestjs/common';
import { IamEvent } from '@iam/contracts';
import type { ModelChanges, StopListening } from '../storage/model.repository';
import { AuthorityModel, ModelSnapshot } from './authority-model';
import { OUTBOX_CHANNEL } from '../storage/mutation-log.repository';
import { CommitFollower } from './mutation-runner';

/** The reads the follower needs (implemented by `ModelRepository`). */
export interface ModelSource {
  loadSnapshot(): Promise<ModelSnapshot>;
  changesSince(after: number): Promise<ModelChanges>;
  currentRevision(): Promise<number>;
  listen(channel: string, onSignal: (revision: number) => void, onLost: (error: Error) => void): Promise<StopListening | null>;
}

/** Whether the events read after `from` skip a revision (or stop short of the counter). */
function hasGap(from: number, changes: ModelChanges): boolean {
  let expected = from + 1;
  for (const event of changes.events) {
    if (event.revision !== expected) return true;
    expected += 1;
  }
  return !changes.truncated && changes.revision >= expected;
}

/** Options of {@link ModelFollower}. */
export interface ModelFollowerOptions {
  /**
   * Safety poll of the revision counter (ms; 0: off). Catches what no
   * signal announces: a counter raised to the stream's revision, a
   * notification lost with its connection. Costs one one-row query per period.
   */
  pollMs: number;
  /** How long a mutation's answer waits for the model to reach its revision (ms). Past it, checks refuse rather than answer below it. */
  acknowledgeWaitMs: number;
  /** Delay before re-LISTENing after the notification connection is lost (ms). */
  relistenMs?: number;
}

interface Waiter {
  revision: number;
  resolve: (reached: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * Keeps the {@link AuthorityModel} in step with the database, strictly in
 * revision order:
 * - this replica's commits are offered with their event and applied when
 *   the model is exactly one revision behind (held otherwise);
 * - anything else (other replicas' commits, signalled by NOTIFY on
 *   {@link OUTBOX_CHANNEL}; a gap before a held event) is read from the
 *   outbox in one snapshot with the counter (`changesSince`), a single read
 *   in flight at a time;
 * - a revision without its event in that read (the counter raised to the
 *   stream's revision, rows gone from the outbox) or an event the model
 *   cannot apply triggers a full reload: never a guess.
 *
 * It also keeps the floor of what this replica acknowledged (revisions
 * returned by mutations): readers must not answer below it.
 */
export class ModelFollower implements CommitFollower {
  private readonly logger = new Logger('AuthorityModel');
  private current: AuthorityModel | null = null;
  private readonly held = new Map<number, IamEvent>();
  private readonly waiters = new Set<Waiter>();
  private floor = 0;
  private catchingUp: Promise<void> | null = null;
  private catchUpAgain = false;
  private reloadNeeded = false;
  private poller: NodeJS.Timeout | null = null;
  private relistenTimer: NodeJS.Timeout | null = null;
  private stopListening: StopListening | null = null;
  private stopped = false;

  constructor(
    private readonly source: ModelSource,
    private readonly options: ModelFollowerOptions,
  ) {}

  /** LISTENs (PostgreSQL), loads the model, starts the safety poll. */
  async start(): Promise<void> {
    // LISTEN before the load: a commit landing between the two is signalled, not missed.
    await this.listen();
    this.current = new AuthorityModel(await this.source.loadSnapshot());
    this.logger.log(`model loaded at revision ${this.current.revision}`);
    this.drain();
    if (this.options.pollMs > 0) {
      this.poller = setInterval(() => this.poll(), this.options.pollMs);
      this.poller.unref();
    }
  }

  /** Stops polling and listening; pending waits answer "not reached". */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    if (this.relistenTimer) clearTimeout(this.relistenTimer);
    for (const waiter of [...this.waiters]) this.settle(waiter, false);
    await this.stopListening?.().catch(() => undefined);
    this.stopListening = null;
    await this.catchingUp?.catch(() => undefined);
  }

  /** The model (after {@link start}). */
  get model(): AuthorityModel {
    if (!this.current) throw new Error('the authority model is not loaded yet');
    return this.current;
  }

  /** The revision the model reflects (-1 before the load). */
  get revision(): number {
    return this.current?.revision ?? -1;
  }

  /** The highest revision this replica has acknowledged (returned by a mutation). */
  get acknowledged(): number {
    return this.floor;
  }

  /** A mutation of this replica committed `event`: raise the floor, apply it in order, resolve when the model has it (or after `acknowledgeWaitMs`). */
  async committed(event: IamEvent): Promise<void> {
    this.floor = Math.max(this.floor, event.revision);
    this.offer(event);
    await this.waitFor(event.revision, this.options.acknowledgeWaitMs);
  }

  /** A mutation answered `revision` without committing (no change): the model must reach it too. */
  async acknowledge(revision: number): Promise<void> {
    this.floor = Math.max(this.floor, revision);
    await this.waitFor(revision, this.options.acknowledgeWaitMs);
  }

  /** Resolves true once the model reaches `revision`, false after `timeoutMs`. Asks the database at once when behind. */
  waitFor(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.current && this.current.revision >= revision) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = { revision, resolve, timer: setTimeout(() => this.settle(waiter, false), timeoutMs) };
      this.waiters.add(waiter);
      if (this.current) this.requestCatchUp();
    });
  }

  /** Offers a committed event of this replica. */
  offer(event: IamEvent): void {
    if (this.current && event.revision <= this.current.revision) return;
    this.held.set(event.revision, event);
    if (!this.current) return;
    this.drain();
    if (this.held.size > 0) this.requestCatchUp();
  }

  /** Applies held events while the next one is exactly the model's next revision; wakes the waiters it satisfies. */
  private drain(): void {
    const model = this.current!;
    for (const revision of this.held.keys()) if (revision <= model.revision) this.held.delete(revision);
    for (let next = this.held.get(model.revision + 1); next; next = this.held.get(model.revision + 1)) {
      this.held.delete(next.revision);
      if (!this.applyOne(next)) break;
    }
    this.release();
  }

  private applyOne(event: IamEvent): boolean {
    try {
      this.current!.apply(event);
      return true;
    } catch (error) {
      this.logger.error(`cannot apply revision ${event.revision} (${(error as Error).message}): reloading the model`);
      this.reloadNeeded = true;
      this.requestCatchUp();
      return false;
    }
  }

  private release(): void {
    const revision = this.current?.revision ?? -1;
    for (const waiter of [...this.waiters]) if (waiter.revision <= revision) this.settle(waiter, true);
  }

  private settle(waiter: Waiter, reached: boolean): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    waiter.resolve(reached);
  }

  /** One outbox read at a time; a request during a read runs one more after it. */
  private requestCatchUp(): void {
    if (this.stopped || !this.current) return;
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return;
    }
    this.catchingUp = (async () => {
      do {
        this.catchUpAgain = false;
        try {
          await this.catchUp();
        } catch (error) {
          // The poll (or the next signal, wait or commit) tries again.
          this.logger.warn(`model catch-up failed: ${(error as Error).message}`);
          return;
        }
      } while (this.catchUpAgain && !this.stopped);
    })().finally(() => {
      this.catchingUp = null;
    });
  }

  private async catchUp(): Promise<void> {
    if (!this.reloadNeeded) {
      for (;;) {
        const from = this.current!.revision;
        const changes = await this.source.changesSince(from);
        if (hasGap(from, changes)) {
          // A revision without its event: a counter raised to the stream's revision, or rows no longer
          // in the outbox. Either way only a full load is exactly right.
          this.reloadNeeded = true;
          break;
        }
        for (const event of changes.events) {
          // Held events of this replica may have been applied while the read was in flight.
          if (event.revision > this.current!.revision && !this.applyOne(event)) return;
        }
        this.drain();
        if (!changes.truncated) return;
      }
    }
    const snapshot = await this.source.loadSnapshot();
    if (snapshot.revision >= this.current!.revision) {
      this.current = new AuthorityModel(snapshot);
      this.reloadNeeded = false;
      this.logger.log(`model reloaded at revision ${snapshot.revision}`);
    }
    this.drain();
  }

  private poll(): void {
    if (this.catchingUp || !this.current) return;
    this.source.currentRevision().then(
      (revision) => {
        if (revision > this.revision) this.requestCatchUp();
      },
      () => undefined,
    );
  }

  private async listen(): Promise<void> {
    this.stopListening = await this.source.listen(
      OUTBOX_CHANNEL,
      (revision) => {
        // A signal for a revision the model has (or holds from this replica) needs no read.
        if (Number.isSafeInteger(revision) && (revision <= this.revision || this.held.has(revision))) return;
        this.requestCatchUp();
      },
      (error) => {
        this.stopListening = null;
        if (this.stopped) return;
        this.logger.warn(`model notifications lost (${error.message}): listening again`);
        this.relistenTimer = setTimeout(() => void this.relisten(), this.options.relistenMs ?? 1000);
        this.relistenTimer.unref();
      },
    );
  }

  private async relisten(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.listen();
      // Commits signalled while nobody listened.
      this.requestCatchUp();
    } catch (error) {
      this.logger.warn(`LISTEN failed (${(error as Error).message}): trying again`);
      this.relistenTimer = setTimeout(() => void this.relisten(), this.options.relistenMs ?? 1000);
      this.relistenTimer.unref();
    }
  }
}
