import { Pool, PoolClient } from 'pg';
import { Database, IsolationLevel, Queryable, Row } from './database';

/** PostgreSQL through a `pg` Pool (DATABASE_URL). */
export class PgDatabase implements Database {
  readonly kind = 'postgres' as const;
  private closed = false;

  private constructor(private readonly pool: Pool) {}

  /** Connects (and checks the connection once, so a bad URL fails start-up). */
  static async open(connectionString: string, poolSize = 10): Promise<PgDatabase> {
    const pool = new Pool({ connectionString, max: poolSize });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    const client = await pool.connect();
    client.release();
    return new PgDatabase(pool);
  }

  /** The URL-less pool, for the relay's dedicated lock connection. */
  connect(): Promise<PoolClient> {
    return this.pool.connect();
  }

  async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    const result = await this.pool.query(sql, params);
    return result.rows as T[];
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>, isolation: IsolationLevel = 'read committed'): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
      const tx: Queryable = {
        query: async <R extends Row = Row>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[],
      };
      try {
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
