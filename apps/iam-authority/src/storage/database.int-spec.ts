import { createTestDatabase, databaseKinds, TestDatabase } from '../../../../test/support/database';
import { MutationRunner } from '../domain/mutation-runner';
import { PrincipalsService } from '../domain/principals.service';
import { Database, toNumber } from './database';
import { migrate } from './migrations';
import { openDatabase } from './open-database';

// Opening PGlite (initdb) takes seconds on a loaded machine.
jest.setTimeout(60_000);

function storageOf(db: TestDatabase) {
  return 'DATABASE_URL' in db.env ? { databaseUrl: db.env.DATABASE_URL } : { dataDir: db.env.IAM_DATA_DIR };
}

/* The storage adapters and the mutation runner against a real database (no NATS). */
describe.each(databaseKinds())('storage and mutations (%s)', (kind) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    db = await openDatabase(storageOf(testDb));
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.dispose();
  });

  const revision = async () => toNumber((await db.query<{ value: unknown }>('SELECT value FROM revision'))[0].value);
  const outboxSize = async () => toNumber((await db.query<{ n: unknown }>('SELECT count(*) AS n FROM outbox'))[0].n);

  it('migrates once: running the migrations again changes nothing', async () => {
    expect(await migrate(db)).toEqual([]);
    expect(await revision()).toBe(0);
  });

  it('writes state, one revision and one outbox event per mutation, and nothing when the mutation fails', async () => {
    const runner = new MutationRunner(db);
    const committed: number[] = [];
    runner.onCommit((rev) => committed.push(rev));
    const principals = new PrincipalsService(db, runner);

    const created = await principals.create('test', { id: 'sa:storage' });
    expect(created.revision).toBe(1);
    expect(committed).toEqual([1]);
    const [row] = await db.query<{ event_type: string; event: { revision: number; tags: string[] } }>('SELECT event_type, event FROM outbox WHERE revision = 1');
    expect(row.event_type).toBe('principal.created');
    expect(row.event).toMatchObject({ revision: 1, tags: ['p:sa:storage'] });

    // Conflict after the revision bump: everything rolls back.
    await expect(principals.create('test', { id: 'sa:storage' })).rejects.toMatchObject({ code: 'CONFLICT' });
    // A failure after the state change (token for a principal that is not there) as well.
    await expect(principals.createToken('test', 'sa:ghost', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await revision()).toBe(1);
    expect(await outboxSize()).toBe(1);
    expect(await db.query('SELECT id FROM tokens')).toEqual([]);
    expect(committed).toEqual([1]);
  });

  it('rolls back a transaction that throws, and serialises concurrent transactions', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO groups (id) VALUES ('group:rolled-back')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query("SELECT id FROM groups WHERE id = 'group:rolled-back'")).toEqual([]);

    const before = await revision();
    await Promise.all(
      Array.from({ length: 20 }, () => db.transaction((tx) => tx.query('UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value'))),
    );
    expect(await revision()).toBe(before + 20);
  });
});
