import { IamEvent } from '@iam/contracts';
import type { ModelPolicy, ModelSnapshot } from '../domain/authority-model';
import { Database, toNumber, toStringArray } from './database';
import { PgDatabase } from './pg-database';

/** Committed changes after a revision, read in one snapshot. */
export interface ModelChanges {
  /** The revision counter in that snapshot: every event up to it is in `events` (or there is none for it). */
  revision: number;
  /** Outbox events above the asked revision, by revision (at most `limit`). */
  events: IamEvent[];
  /** True when `limit` cut the list: read again from the last event. */
  truncated: boolean;
}

/** Stops a LISTEN started by {@link ModelRepository.listen}. */
export type StopListening = () => Promise<void>;

/**
 * The SQL behind the in-memory model: the full load, the outbox read that
 * catches up with commits of other replicas (or a raised counter), and the
 * PostgreSQL LISTEN that tells about them.
 */
export class ModelRepository {
  constructor(private readonly db: Database) {}

  /** Everything the model holds, with the revision it reflects (one repeatable-read snapshot). */
  loadSnapshot(): Promise<ModelSnapshot> {
    return this.db.transaction(async (tx) => {
      const [revision] = await tx.query<{ value: unknown }>('SELECT value FROM revision WHERE id = 1');
      const principals = await tx.query<{ id: string; disabled: boolean }>('SELECT id, disabled FROM principals');
      const groups = await tx.query<{ id: string }>('SELECT id FROM groups');
      const memberships = await tx.query<{ group_id: string; principal_id: string }>('SELECT group_id, principal_id FROM group_members');
      const roles = await tx.query<{ id: string; actions: unknown }>('SELECT id, actions FROM roles');
      const policies = await tx.query<{ id: string; subjects: unknown; role: string | null; actions: unknown; resources: unknown; effect: 'allow' | 'deny' }>(
        'SELECT id, subjects, role, actions, resources, effect FROM policies',
      );
      return {
        revision: toNumber(revision.value),
        principals: principals.map((row) => ({ id: row.id, disabled: row.disabled })),
        groups: groups.map((row) => row.id),
        memberships: memberships.map((row) => ({ groupId: row.group_id, principalId: row.principal_id })),
        roles: roles.map((row) => ({ id: row.id, actions: toStringArray(row.actions) })),
        policies: policies.map(
          (row): ModelPolicy => ({
            id: row.id,
            effect: row.effect,
            subjects: toStringArray(row.subjects),
            role: row.role,
            actions: row.actions === null || row.actions === undefined ? null : toStringArray(row.actions),
            resources: toStringArray(row.resources),
          }),
        ),
      };
    }, 'repeatable read');
  }

  /**
   * The outbox events above `after` and the revision counter, in one
   * snapshot. Writers hold the counter's row lock until they commit, so
   * commit order is revision order: a snapshot holding event N holds every
   * event below N, and a revision without an event in it never gets one
   * (the counter was raised without a change).
   */
  changesSince(after: number, limit = 1000): Promise<ModelChanges> {
    return this.db.transaction(async (tx) => {
      const [revision] = await tx.query<{ value: unknown }>('SELECT value FROM revision WHERE id = 1');
      const rows = await tx.query<{ event: unknown }>('SELECT event FROM outbox WHERE revision > $1 ORDER BY revision LIMIT $2', [after, limit]);
      const events = rows.map((row) => (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as IamEvent);
      return { revision: toNumber(revision.value), events, truncated: rows.length === limit };
    }, 'repeatable read');
  }

  /** The committed revision counter. */
  async currentRevision(): Promise<number> {
    const [row] = await this.db.query<{ value: unknown }>('SELECT value FROM revision WHERE id = 1');
    return toNumber(row.value);
  }

  /**
   * PostgreSQL only: LISTENs on `channel` on a dedicated connection and calls
   * `onSignal` with the notified revision (NaN when the payload is not one) on every notification, and `onLost` once when the connection
   * fails (the caller re-listens). Null on PGlite (one process, one writer).
   */
  async listen(channel: string, onSignal: (revision: number) => void, onLost: (error: Error) => void): Promise<StopListening | null> {
    if (!(this.db instanceof PgDatabase)) return null;
    const client = await this.db.connect();
    let lost = false;
    const fail = (error: Error) => {
      if (lost) return;
      lost = true;
      client.removeAllListeners('notification');
      client.release(true);
      onLost(error);
    };
    client.on('notification', (message) => onSignal(Number(message.payload)));
    client.on('error', fail);
    try {
      await client.query(`LISTEN ${channel}`);
    } catch (error) {
      fail(error as Error);
      throw error;
    }
    return async () => {
      if (lost) return;
      lost = true;
      client.removeAllListeners('notification');
      client.removeListener('error', fail);
      await client.query(`UNLISTEN ${channel}`).catch(() => undefined);
      client.release();
    };
  }
}
