import { Database, toNumber } from './database';

/** One committed event waiting in the outbox. */
export interface OutboxRow {
  revision: number;
  eventId: string;
  eventType: string;
  /** The event as JSON text, exactly as committed. */
  json: string;
}

/** What a checkpoint may claim, read in one statement (one snapshot). */
export interface CommittedState {
  /** The committed revision (the counter's value). */
  revision: number;
  /** Whether some event at or below `revision` is not yet acknowledged by JetStream. */
  behind: boolean;
}

/**
 * The outbox queries of the relay (docs/architecture.md#the-authority): read unpublished
 * rows in revision order, mark one published once JetStream acknowledged it,
 * and read the committed state a freshness checkpoint reports.
 */
export class RelayOutboxRepository {
  constructor(private readonly db: Database) {}

  /** Up to `limit` unpublished rows, oldest revision first. */
  async unpublished(limit: number): Promise<OutboxRow[]> {
    const rows = await this.db.query<{ revision: unknown; event_id: string; event_type: string; event: unknown }>(
      'SELECT revision, event_id, event_type, event FROM outbox WHERE published_at IS NULL ORDER BY revision LIMIT $1',
      [limit],
    );
    return rows.map((row) => ({
      revision: toNumber(row.revision),
      eventId: row.event_id,
      eventType: row.event_type,
      json: typeof row.event === 'string' ? row.event : JSON.stringify(row.event),
    }));
  }

  /** Records that JetStream acknowledged the event of `revision`. */
  async markPublished(revision: number): Promise<void> {
    await this.db.query('UPDATE outbox SET published_at = now() WHERE revision = $1', [revision]);
  }

  /** Rows not yet published. */
  async backlog(): Promise<number> {
    const [row] = await this.db.query<{ n: unknown }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL');
    return toNumber(row.n);
  }

  /**
   * The committed revision and whether anything at or below it is still
   * unpublished, in ONE statement: both come from the same snapshot, so a
   * commit landing between two reads cannot make a checkpoint claim a
   * revision whose event is not on the stream.
   */
  async committedState(): Promise<CommittedState> {
    const [row] = await this.db.query<{ revision: unknown; behind: boolean }>(
      `SELECT r.value AS revision,
              EXISTS (SELECT 1 FROM outbox o WHERE o.published_at IS NULL AND o.revision <= r.value) AS behind
         FROM revision r WHERE r.id = 1`,
    );
    return { revision: toNumber(row.revision), behind: row.behind === true };
  }
}
