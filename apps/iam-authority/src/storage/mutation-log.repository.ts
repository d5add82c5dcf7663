import type { IamEvent } from '@iam/contracts';
import { Queryable, toNumber } from './database';

/** PostgreSQL NOTIFY channel signalled by every committed mutation (wakes the relay on any replica). */
export const OUTBOX_CHANNEL = 'iam_outbox';

/**
 * The writes every mutation makes inside its transaction: it takes the next
 * revision, and appends its event to the outbox (the relay publishes it
 * after commit). On PostgreSQL the append also NOTIFYs {@link OUTBOX_CHANNEL},
 * delivered at commit to whichever replica's relay holds the lease; PGlite
 * is one process, whose relay is woken in process.
 */
export const MutationLogRepository = {
  /** Increments and returns the revision counter (the row lock orders concurrent mutations). */
  async nextRevision(tx: Queryable): Promise<number> {
    const [row] = await tx.query<{ value: unknown }>('UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value');
    return toNumber(row.value);
  },

  /** The current revision (what a mutation that changed nothing answers). */
  async currentRevision(db: Queryable): Promise<number> {
    const [row] = await db.query<{ value: unknown }>('SELECT value FROM revision WHERE id = 1');
    return toNumber(row.value);
  },

  /** Appends `event` (already validated) to the outbox at its revision; `notify`: signal the commit on {@link OUTBOX_CHANNEL}. */
  async append(tx: Queryable, event: IamEvent, notify: boolean): Promise<void> {
    await tx.query('INSERT INTO outbox (revision, event_id, event_type, event) VALUES ($1, $2, $3, $4)', [event.revision, event.id, event.type, JSON.stringify(event)]);
    if (notify) await tx.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, String(event.revision)]);
  },
};
