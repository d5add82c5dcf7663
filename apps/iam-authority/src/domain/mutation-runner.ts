import { Logger } from '@nestjs/common';
import { createEvent, encodeEvent, EventType, IamEvent, PayloadOf } from '@iam/contracts';
import { Database, Queryable } from '../storage/database';
import { MutationLogRepository } from '../storage/mutation-log.repository';

/** The one event a mutation emits (revision, id, time and actor are filled in). */
export interface MutationEvent<T extends EventType = EventType> {
  type: T;
  tags: string[];
  payload: PayloadOf<T>;
  tenant?: string;
}

/** What a mutation's work returns: its answer, and its event (null: nothing changed, nothing is written). */
export interface MutationOutcome<R> {
  result: R;
  event: { [T in EventType]: MutationEvent<T> }[EventType] | null;
}

/** Who asked and what, for the audit log. */
export interface MutationMeta {
  actor: string;
  op: string;
  target: string;
}

/**
 * Told of every revision this replica acknowledges, BEFORE the mutation
 * answers, so that its reads never answer below a revision it returned
 * (the in-memory model: `ModelFollower`).
 */
export interface CommitFollower {
  /** A mutation committed `event`; resolves when reads reflect it (or a bounded wait ran out). */
  committed(event: IamEvent): Promise<void>;
  /** A no-op mutation answers `revision` (the current one); resolves when reads reflect it (or a bounded wait ran out). */
  acknowledge(revision: number): Promise<void>;
}

/** Told after every commit (the relay wakes up; metrics count). */
export type CommitListener = (revision: number, op: string) => void;

/** Rolls a no-op mutation back while carrying its answer out of the transaction. */
class NoChange<R> {
  constructor(readonly result: R) {}
}

/**
 * Runs every mutation the same way (docs/architecture.md#the-authority): in ONE
 * transaction, first bump the single-row revision counter (which serialises
 * writers on PostgreSQL, so commit order is revision order), then change the
 * state, then insert exactly one event with that revision into the outbox.
 * Any error rolls everything back. After the commit: audit log line, then
 * the listeners (the relay's wake-up signal).
 */
export class MutationRunner {
  private readonly logger = new Logger('Audit');
  private readonly listeners: CommitListener[] = [];

  constructor(
    private readonly db: Database,
    private readonly follower?: CommitFollower,
  ) {}

  /** Registers a commit listener. */
  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  /** Runs `work` as one mutation; returns its result with the new (or, for a no-op, current) revision. */
  async mutate<R extends object>(meta: MutationMeta, work: (tx: Queryable, revision: number) => Promise<MutationOutcome<R>>): Promise<R & { revision: number }> {
    let committed: { result: R; revision: number; event: IamEvent };
    try {
      committed = await this.db.transaction(async (tx) => {
        const revision = await MutationLogRepository.nextRevision(tx);
        const outcome = await work(tx, revision);
        if (!outcome.event) throw new NoChange(outcome.result);
        const event = createEvent({ ...outcome.event, revision, actor: meta.actor } as Parameters<typeof createEvent>[0]);
        // Validates against the contract (throws naming the field): a bad event never reaches the outbox.
        encodeEvent(event as IamEvent);
        // The commit signal reaches the relay of whichever replica holds the relay lock (PostgreSQL only:
        // PGlite is one process, woken by the in-process listeners below).
        await MutationLogRepository.append(tx, event as IamEvent, this.db.kind === 'postgres');
        return { result: outcome.result, revision, event: event as IamEvent };
      });
    } catch (error) {
      if (!(error instanceof NoChange)) throw error;
      const revision = await MutationLogRepository.currentRevision(this.db);
      this.logger.log(`actor=${meta.actor} op=${meta.op} target=${meta.target} revision=${revision} (no change)`);
      await this.follower?.acknowledge(revision);
      return { ...(error.result as R), revision };
    }
    this.logger.log(`actor=${meta.actor} op=${meta.op} target=${meta.target} revision=${committed.revision}`);
    for (const listener of this.listeners) {
      try {
        listener(committed.revision, meta.op);
      } catch {
        // A listener's failure must not turn a committed mutation into an error.
      }
    }
    // Last, so the relay is already woken: the answer leaves once this replica's reads reflect it.
    await this.follower?.committed(committed.event);
    return { ...committed.result, revision: committed.revision };
  }
}
