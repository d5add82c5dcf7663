import type { PoolClient } from 'pg';
import { OUTBOX_CHANNEL } from './mutation-log.repository';
import { PgDatabase } from './pg-database';

/**
 * LISTEN on the outbox channel (PostgreSQL): every replica's commit NOTIFYs
 * it, so the relay holding the lease is woken at once, whichever replica
 * committed. One dedicated connection, opened again after it breaks (the
 * relay's safety poll covers the notifications missed meanwhile).
 */
export class OutboxNotifications {
  private client: PoolClient | null = null;
  private connecting: Promise<void> | null = null;
  private release: ((broken: boolean) => void) | null = null;

  constructor(
    private readonly db: PgDatabase,
    private readonly onNotify: () => void,
  ) {}

  /** Listens, (re)connecting when needed; throws when the database is unreachable. */
  ensure(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  /** Stops listening and returns the connection. */
  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    if (!client) return;
    await client.query(`UNLISTEN ${OUTBOX_CHANNEL}`).catch(() => undefined);
    this.release?.(false);
    this.release = null;
  }

  private async connect(): Promise<void> {
    const client = await this.db.connect();
    let released = false;
    const drop = (broken: boolean) => {
      if (released) return;
      released = true;
      if (this.client === client) this.client = null;
      client.removeAllListeners('notification');
      client.release(broken);
    };
    // Kept after the release too: an idle pg client may still emit 'error' (server gone), which must not crash the process.
    client.on('error', () => drop(true));
    this.release = drop;
    client.on('notification', () => this.onNotify());
    try {
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      drop(true);
      throw error;
    }
    this.client = client;
  }
}
