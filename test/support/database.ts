import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { seedFromPgliteTemplate } from './pglite-template';
import { scratchDir } from './scratch';

/** The storage engines the authority supports. */
export type DatabaseKind = 'pglite' | 'postgres';

/** Where CI (and a developer who wants both engines) points the suites at PostgreSQL. */
export const TEST_DATABASE_URL_ENV = 'TEST_DATABASE_URL';

/** A database owned by one test (or suite). */
export interface TestDatabase {
  readonly kind: DatabaseKind;
  /**
   * What to hand the authority: `{ DATABASE_URL }` of a fresh PostgreSQL
   * database, or `{ IAM_DATA_DIR }` of a temp dir for PGlite holding a copy
   * of the run's initialised, empty template (pglite-template.ts).
   */
  readonly env: { DATABASE_URL: string } | { IAM_DATA_DIR: string };
  /** Drops the database (closing leftover connections) or deletes the directory. Safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * The engines storage suites run against: PGlite always, PostgreSQL too when
 * TEST_DATABASE_URL is set. Use as `describe.each(databaseKinds())`.
 */
export function databaseKinds(): DatabaseKind[] {
  return process.env[TEST_DATABASE_URL_ENV] ? ['pglite', 'postgres'] : ['pglite'];
}

/** A fresh, empty database of `kind` (a new PostgreSQL database per call, never a shared one). */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return kind === 'postgres' ? createPostgresDatabase() : createPgliteDirectory();
}

async function createPgliteDirectory(): Promise<TestDatabase> {
  const dir = scratchDir('iam-pglite-');
  seedFromPgliteTemplate(dir);
  return {
    kind: 'pglite',
    env: { IAM_DATA_DIR: dir },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env[TEST_DATABASE_URL_ENV];
  if (!adminUrl) throw new Error(`${TEST_DATABASE_URL_ENV} is not set: 'postgres' test databases need a server to create them on`);
  // Lower-case letters and digits only: no quoting pitfalls, unique across parallel workers.
  const name = `iam_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let disposed = false;
  return {
    kind: 'postgres',
    env: { DATABASE_URL: url.toString() },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      // WITH (FORCE) (PostgreSQL 13+) ends connections an app under test left open.
      await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdminClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
