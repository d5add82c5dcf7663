import { Database } from './database';

/**
 * The one migration set, plain SQL that PostgreSQL and PGlite both run.
 * Append only: a released migration is never edited.
 */
const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE principals (
        id text PRIMARY KEY,
        display_name text,
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE groups (
        id text PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE group_members (
        group_id text NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        principal_id text NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, principal_id)
      );
      CREATE INDEX group_members_principal ON group_members (principal_id);
      CREATE TABLE roles (
        id text PRIMARY KEY,
        actions jsonb NOT NULL
      );
      CREATE TABLE policies (
        id text PRIMARY KEY,
        subjects jsonb NOT NULL,
        role text REFERENCES roles(id),
        actions jsonb,
        resources jsonb NOT NULL,
        effect text NOT NULL CHECK (effect IN ('allow', 'deny')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX policies_subjects ON policies USING gin (subjects);
      CREATE TABLE tokens (
        id text PRIMARY KEY,
        principal_id text NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
        secret_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX tokens_principal ON tokens (principal_id);
      CREATE TABLE revision (
        id int PRIMARY KEY CHECK (id = 1),
        value bigint NOT NULL
      );
      INSERT INTO revision (id, value) VALUES (1, 0);
      CREATE TABLE outbox (
        revision bigint PRIMARY KEY,
        event_id text NOT NULL UNIQUE,
        event_type text NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      );
      CREATE INDEX outbox_unpublished ON outbox (revision) WHERE published_at IS NULL;
    `,
  },
  {
    version: 2,
    name: 'relay lease',
    // One row: the replica relaying the outbox (and sending checkpoints), its epoch, until when (database clock).
    sql: `
      CREATE TABLE relay_lease (
        id int PRIMARY KEY CHECK (id = 1),
        holder text,
        epoch bigint NOT NULL,
        lease_until timestamptz
      );
      INSERT INTO relay_lease (id, holder, epoch, lease_until) VALUES (1, NULL, 0, NULL);
    `,
  },
];

/** Lock key serialising concurrent migrators on PostgreSQL (several replicas starting together). */
const MIGRATION_LOCK_KEY = 7_262_001;

/** Applies the migrations not yet recorded in `schema_migrations`, all in one transaction (all or nothing). */
export async function migrate(db: Database): Promise<number[]> {
  return db.transaction(async (tx) => {
    if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => Number(row.version)));
    const done: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      done.push(migration.version);
    }
    return done;
  });
}

/** Extended-protocol queries take one statement each; the migrations hold no `;` inside literals. */
function splitStatements(sql: string): string[] {
  return sql
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
