import { Logger } from '@nestjs/common';
import { EventEncodeError, IamEvent } from '@iam/contracts';
import { Database, Queryable, Row } from '../storage/database';
import { OUTBOX_CHANNEL } from '../storage/mutation-log.repository';
import { CommitFollower, MutationOutcome, MutationRunner } from './mutation-runner';

/** What the in-memory database holds; a transaction works on a copy, kept only on commit. */
interface State {
  revision: number;
  outbox: Array<{ revision: number; eventId: string; eventType: string; event: IamEvent }>;
  /** Rows the mutations' own work wrote (`INSERT INTO things`). */
  things: string[];
  /** NOTIFYs, delivered at commit as PostgreSQL does. */
  notifications: Array<{ channel: string; payload: string }>;
}

/**
 * The storage port in memory: the statements MutationRunner sends (and the
 * test work's `INSERT INTO things`), with transactions that commit a copy of
 * the state or drop it. Any other statement fails the test.
 */
class InMemoryDatabase implements Database {
  state: State = { revision: 0, outbox: [], things: [], notifications: [] };

  constructor(readonly kind: 'postgres' | 'pglite') {}

  query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return Promise.resolve(this.run(this.state, sql, params) as T[]);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const draft: State = structuredClone(this.state);
    const tx: Queryable = { query: <R extends Row = Row>(sql: string, params: unknown[] = []) => Promise.resolve(this.run(draft, sql, params) as R[]) };
    const result = await work(tx);
    this.state = draft;
    return result;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private run(state: State, sql: string, params: unknown[]): Row[] {
    if (sql === 'UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value') {
      state.revision += 1;
      return [{ value: String(state.revision) }]; // pg returns bigint columns as strings
    }
    if (sql === 'SELECT value FROM revision WHERE id = 1') return [{ value: state.revision }];
    if (sql.startsWith('INSERT INTO outbox (revision, event_id, event_type, event)')) {
      const [revision, eventId, eventType, json] = params as [number, string, string, string];
      state.outbox.push({ revision, eventId, eventType, event: JSON.parse(json) as IamEvent });
      return [];
    }
    if (sql === 'SELECT pg_notify($1, $2)') {
      state.notifications.push({ channel: params[0] as string, payload: params[1] as string });
      return [];
    }
    if (sql === 'INSERT INTO things VALUES ($1)') {
      state.things.push(params[0] as string);
      return [];
    }
    throw new Error(`unexpected statement: ${sql}`);
  }
}

/** Records what the runner tells the in-memory model, in order. */
class RecordingFollower implements CommitFollower {
  readonly told: string[] = [];
  committed(event: IamEvent): Promise<void> {
    this.told.push(`committed ${event.revision}`);
    return Promise.resolve();
  }
  acknowledge(revision: number): Promise<void> {
    this.told.push(`acknowledged ${revision}`);
    return Promise.resolve();
  }
}

const meta = { actor: 'admin:ops', op: 'principal.create', target: 'user:ann@x.io' };

/** Work that writes a row and emits principal.created (or nothing, when `changed` is false). */
const createAnn =
  (changed = true) =>
  async (tx: Queryable, revision: number): Promise<MutationOutcome<{ id: string; seenRevision: number }>> => {
    if (changed) await tx.query('INSERT INTO things VALUES ($1)', ['user:ann@x.io']);
    return {
      result: { id: 'user:ann@x.io', seenRevision: revision },
      event: changed ? { type: 'principal.created', tags: ['p:user:ann@x.io'], payload: { principalId: 'user:ann@x.io' } } : null,
    };
  };

describe('MutationRunner', () => {
  let audit: jest.SpyInstance;

  beforeEach(() => {
    audit = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('commits the change and exactly one outbox event at the next revision, in one transaction, then tells listeners and the follower', async () => {
    const db = new InMemoryDatabase('pglite');
    const follower = new RecordingFollower();
    const runner = new MutationRunner(db, follower);
    const committed: Array<[number, string]> = [];
    runner.onCommit((revision, op) => {
      committed.push([revision, op]);
      follower.told.push(`listener ${revision}`);
    });

    const result = await runner.mutate(meta, createAnn());

    expect(result).toEqual({ id: 'user:ann@x.io', seenRevision: 1, revision: 1 });
    expect(db.state.revision).toBe(1);
    expect(db.state.things).toEqual(['user:ann@x.io']);
    expect(db.state.outbox).toHaveLength(1);
    const [row] = db.state.outbox;
    expect(row).toMatchObject({ revision: 1, eventType: 'principal.created', eventId: row.event.id });
    expect(row.event).toMatchObject({ type: 'principal.created', revision: 1, actor: 'admin:ops', tags: ['p:user:ann@x.io'], payload: { principalId: 'user:ann@x.io' } });
    expect(committed).toEqual([[1, 'principal.create']]);
    // Listeners (the relay's wake-up) first, then the answer waits for this replica's reads.
    expect(follower.told).toEqual(['listener 1', 'committed 1']);
    expect(audit).toHaveBeenCalledWith('actor=admin:ops op=principal.create target=user:ann@x.io revision=1');
  });

  it('gives consecutive mutations consecutive revisions, in outbox order', async () => {
    const db = new InMemoryDatabase('pglite');
    const runner = new MutationRunner(db);
    for (let i = 0; i < 3; i += 1) await runner.mutate(meta, createAnn());
    expect(db.state.outbox.map((row) => row.revision)).toEqual([1, 2, 3]);
    expect(new Set(db.state.outbox.map((row) => row.eventId)).size).toBe(3);
  });

  it('a mutation that changes nothing writes nothing and answers the current revision, acknowledged to the follower', async () => {
    const db = new InMemoryDatabase('pglite');
    const follower = new RecordingFollower();
    const runner = new MutationRunner(db, follower);
    await runner.mutate(meta, createAnn());
    const listener = jest.fn();
    runner.onCommit(listener);

    const result = await runner.mutate(meta, createAnn(false));

    // The work saw the revision it would have had; the answer carries the current one.
    expect(result).toEqual({ id: 'user:ann@x.io', seenRevision: 2, revision: 1 });
    expect(db.state.revision).toBe(1);
    expect(db.state.outbox).toHaveLength(1);
    expect(listener).not.toHaveBeenCalled();
    expect(follower.told).toEqual(['committed 1', 'acknowledged 1']);
    expect(audit).toHaveBeenLastCalledWith('actor=admin:ops op=principal.create target=user:ann@x.io revision=1 (no change)');
  });

  it('rolls everything back when the work fails, and tells nobody', async () => {
    const db = new InMemoryDatabase('pglite');
    const follower = new RecordingFollower();
    const runner = new MutationRunner(db, follower);
    const listener = jest.fn();
    runner.onCommit(listener);

    await expect(
      runner.mutate(meta, async (tx) => {
        await tx.query('INSERT INTO things VALUES ($1)', ['half-done']);
        throw new Error('constraint violated');
      }),
    ).rejects.toThrow('constraint violated');

    expect(db.state).toEqual({ revision: 0, outbox: [], things: [], notifications: [] });
    expect(listener).not.toHaveBeenCalled();
    expect(follower.told).toEqual([]);
    expect(audit).not.toHaveBeenCalled();
  });

  it('never lets an event that breaks the contract reach the outbox: the mutation fails naming the field, nothing is committed', async () => {
    const db = new InMemoryDatabase('pglite');
    const runner = new MutationRunner(db);
    const bad = async (tx: Queryable): Promise<MutationOutcome<object>> => {
      await tx.query('INSERT INTO things VALUES ($1)', ['user:ann@x.io']);
      return { result: {}, event: { type: 'principal.created', tags: ['p:user:ann@x.io'], payload: { principalId: 42 } as never } };
    };
    const error = await runner.mutate(meta, bad).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventEncodeError);
    expect((error as EventEncodeError).field).toContain('principalId');
    expect(db.state).toEqual({ revision: 0, outbox: [], things: [], notifications: [] });
  });

  it('on PostgreSQL, NOTIFYs the outbox channel with the revision inside the transaction (delivered at commit); PGlite does not', async () => {
    const pg = new InMemoryDatabase('postgres');
    await new MutationRunner(pg).mutate(meta, createAnn());
    expect(pg.state.notifications).toEqual([{ channel: OUTBOX_CHANNEL, payload: '1' }]);

    const lite = new InMemoryDatabase('pglite');
    await new MutationRunner(lite).mutate(meta, createAnn());
    expect(lite.state.notifications).toEqual([]);

    const failing = new InMemoryDatabase('postgres');
    await expect(
      new MutationRunner(failing).mutate(meta, async () => {
        throw new Error('late failure');
      }),
    ).rejects.toThrow('late failure');
    expect(failing.state.notifications).toEqual([]);
  });

  it('a failing listener does not turn a committed mutation into an error, nor stop the other listeners', async () => {
    const db = new InMemoryDatabase('pglite');
    const runner = new MutationRunner(db);
    const later = jest.fn();
    runner.onCommit(() => {
      throw new Error('relay gone');
    });
    runner.onCommit(later);
    await expect(runner.mutate(meta, createAnn())).resolves.toMatchObject({ revision: 1 });
    expect(later).toHaveBeenCalledWith(1, 'principal.create');
  });
});
