import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Database, IsolationLevel, Queryable, Row } from './database';

/**
 * Embedded PostgreSQL (PGlite) in a data directory. PGlite has a single
 * connection, so every statement and every transaction goes through one
 * promise queue: a statement never lands inside someone else's transaction.
 *
 * PGlite boots with dynamic `import()`s of Node builtins: under jest this
 * needs `NODE_OPTIONS=--experimental-vm-modules` (jest's VM sandbox refuses
 * them otherwise); plain node needs nothing.
 */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly db: PGlite) {}

  /** Opens (creating when missing) the database in `dataDir`. */
  static async open(dataDir: string): Promise<PgliteDatabase> {
    mkdirSync(dataDir, { recursive: true });
    const db = await PGlite.create(dataDir);
    return new PgliteDatabase(db);
  }

  query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.serialise(() => this.run<T>(sql, params));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>, isolation: IsolationLevel = 'read committed'): Promise<T> {
    return this.serialise(async () => {
      await this.db.exec(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
      const tx: Queryable = { query: <R extends Row = Row>(sql: string, params: unknown[] = []) => this.run<R>(sql, params) };
      try {
        const result = await work(tx);
        await this.db.exec('COMMIT');
        return result;
      } catch (error) {
        await this.db.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.db.close();
  }

  private async run<T extends Row>(sql: string, params: unknown[]): Promise<T[]> {
    const result = await this.db.query<T>(sql, params);
    return result.rows;
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('database is closed'));
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
