import { Database } from './database';
import { migrate } from './migrations';
import { PgDatabase } from './pg-database';
import { PgliteDatabase } from './pglite-database';

/** Where the authority keeps its state. */
export type StorageConfig = { databaseUrl: string } | { dataDir: string };

/** Opens PostgreSQL (when a URL is given) or PGlite in a directory, and migrates it. */
export async function openDatabase(config: StorageConfig): Promise<Database> {
  const db: Database = 'databaseUrl' in config ? await PgDatabase.open(config.databaseUrl) : await PgliteDatabase.open(config.dataDir);
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}
