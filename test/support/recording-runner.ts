import type { Queryable } from '../../apps/iam-authority/src/storage/database';
import type { MutationEvent, MutationOutcome, MutationRunner } from '../../apps/iam-authority/src/domain/mutation-runner';

/**
 * A stand-in {@link MutationRunner} for service specs: runs the work on a
 * dummy transaction, counts revisions, and records the events (what the
 * outbox would get). Not for production code.
 */
export class RecordingRunner {
  revision = 0;
  readonly events: MutationEvent[] = [];
  readonly tx: Queryable = { query: async () => [] };

  async mutate<R extends object>(_meta: unknown, work: (tx: Queryable, revision: number) => Promise<MutationOutcome<R>>): Promise<R & { revision: number }> {
    const outcome = await work(this.tx, this.revision + 1);
    if (!outcome.event) return { ...outcome.result, revision: this.revision };
    this.revision += 1;
    this.events.push(outcome.event);
    return { ...outcome.result, revision: this.revision };
  }

  /** This runner, typed as the real one. */
  asRunner(): MutationRunner {
    return this as unknown as MutationRunner;
  }
}
