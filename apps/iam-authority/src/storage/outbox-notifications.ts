import type { PoolClient } from 'pg';
import { OUTBOX_CHANNEL } from '../domain/mutation-runner';
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
    this.client = null;
    if (!client) return;
    await client.query(`UNLISTEN ${OUTBOX_CHANNEL}`).catch(() => undefined);
    client.removeAllListeners('notification');
    client.release();
  }

  private async connect(): Promise<void> {
    const client = await this.db.connect();
    client.on('error', () => {
      if (this.client === client) this.client = null;
      client.removeAllListeners('notification');
      client.release(true);
    });
    client.on('notification', () => this.onNotify());
    try {
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      client.release(true);
      throw error;
    }
    this.client = client;
  }
}
