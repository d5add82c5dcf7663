import { Database, toNumber } from './database';

/**
 * The relay lease row (`relay_lease`, migration 2): which authority replica
 * relays the outbox, under which epoch, until when. Times are the database's
 * (`now()`), so replicas never compare their own clocks. Each statement is
 * one atomic UPDATE: two replicas can never both be granted the same epoch.
 */
export class RelayLeaseRepository {
  constructor(private readonly db: Database) {}

  /** Takes the lease when it is free or expired; returns the new epoch, or null when another holder's lease runs. */
  async tryAcquire(holder: string, ttlMs: number): Promise<number | null> {
    const rows = await this.db.query<{ epoch: unknown }>(
      `UPDATE relay_lease SET holder = $1, epoch = epoch + 1, lease_until = now() + $2 * interval '1 millisecond'
        WHERE id = 1 AND (lease_until IS NULL OR lease_until <= now())
        RETURNING epoch`,
      [holder, ttlMs],
    );
    return rows.length === 1 ? toNumber(rows[0].epoch) : null;
  }

  /**
   * Extends lease `epoch` of `holder` (even when it expired: nobody took it
   * meanwhile, the epoch says so). False when another replica took it.
   */
  async renew(holder: string, epoch: number, ttlMs: number): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE relay_lease SET lease_until = now() + $3 * interval '1 millisecond'
        WHERE id = 1 AND holder = $1 AND epoch = $2
        RETURNING epoch`,
      [holder, epoch, ttlMs],
    );
    return rows.length === 1;
  }

  /** Ends lease `epoch` of `holder` now (graceful stop: a standby takes over at its next try). */
  async release(holder: string, epoch: number): Promise<void> {
    await this.db.query('UPDATE relay_lease SET lease_until = NULL WHERE id = 1 AND holder = $1 AND epoch = $2', [holder, epoch]);
  }

  /** The current row, for tests and diagnostics. */
  async current(): Promise<{ holder: string | null; epoch: number; expired: boolean }> {
    const [row] = await this.db.query<{ holder: string | null; epoch: unknown; expired: boolean }>(
      'SELECT holder, epoch, (lease_until IS NULL OR lease_until <= now()) AS expired FROM relay_lease WHERE id = 1',
    );
    return { holder: row.holder, epoch: toNumber(row.epoch), expired: row.expired === true };
  }
}
