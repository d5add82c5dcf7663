import { createTestDatabase, databaseKinds, TestDatabase } from '../../../../test/support/database';
import { PgRelayLease } from '../relay/relay-lease';
import { Database } from './database';
import { openDatabase } from './open-database';
import { RelayLeaseRepository } from './relay-lease.repository';

// Opening PGlite (initdb) takes seconds on a loaded machine.
jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/* The relay lease row against a real database: one holder per epoch, expiry on the database clock. */
describe.each(databaseKinds())('relay lease (%s)', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let repository: RelayLeaseRepository;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    db = await openDatabase('DATABASE_URL' in testDb.env ? { databaseUrl: testDb.env.DATABASE_URL } : { dataDir: testDb.env.IAM_DATA_DIR });
    repository = new RelayLeaseRepository(db);
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.dispose();
  });

  it('grants one holder at a time, a new epoch on every change of hands, and refuses the old holder\'s renewal', async () => {
    const first = await repository.tryAcquire('a', 300);
    expect(first).not.toBeNull();
    expect(await repository.tryAcquire('b', 300)).toBeNull();
    expect(await repository.renew('a', first!, 300)).toBe(true);

    // 'a' stops renewing (frozen): once expired on the database clock, 'b' takes it.
    await sleep(450);
    expect((await repository.current()).expired).toBe(true);
    const second = await repository.tryAcquire('b', 300);
    expect(second).toBe(first! + 1);
    expect(await repository.renew('a', first!, 300)).toBe(false);
    expect(await repository.current()).toEqual({ holder: 'b', epoch: second, expired: false });

    // A graceful release frees it at once.
    await repository.release('b', second!);
    expect(await repository.tryAcquire('a', 300)).toBe(second! + 1);
    await repository.release('a', second! + 1);
  });

  it('a holder paused past its local deadline holds nothing until it renewed, and stands by when the lease changed hands', async () => {
    let now = 0;
    // Renews only when asked (a frozen process's timer does not run either); its clock is the test's.
    const paused = new PgRelayLease(repository, 'paused', { ttlMs: 300, renewEveryMs: 60_000, clock: () => now });
    const standby = new PgRelayLease(repository, 'standby', { ttlMs: 300, renewEveryMs: 100 });
    try {
      expect(await paused.hold()).toBe(true);
      expect(paused.isHeld()).toBe(true);
      expect(await standby.hold()).toBe(false);

      // Frozen: the database lease expires, the standby takes it over.
      await sleep(450);
      expect(await standby.hold()).toBe(true);
      // On waking, its own clock has moved on: no I/O needed to know it may not publish...
      now += 10_000;
      expect(paused.isHeld()).toBe(false);
      // ...and its renewal is refused (the epoch changed), so it stands by.
      expect(await paused.hold()).toBe(false);
      expect(paused.epoch).toBeNull();
      expect(standby.isHeld()).toBe(true);
    } finally {
      await paused.release();
      await standby.release();
    }
  });
});
