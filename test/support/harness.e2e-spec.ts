import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PermissionViolationError, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { eventStreamConfig, IAM_EVENTS_STREAM } from '@iam/contracts';
import { PgliteDatabase } from '../../apps/iam-authority/src/storage/pglite-database';
import { createTestDatabase, databaseKinds, TestDatabase } from './database';
import { NatsRole, NatsTestServer, startNatsServer } from './nats-server';
import { natsErrorKind, rejectionOf } from './nats-errors';
import { waitFor } from './wait';


// Restarting servers and reconnecting clients takes seconds, not jest's default 5.
jest.setTimeout(60_000);

/** Connections a test opened, closed in afterEach even when it fails. */
function connectionPool() {
  const open: NatsConnection[] = [];
  return {
    async connect(server: NatsTestServer, role?: NatsRole): Promise<NatsConnection> {
      const nc = await connect(server.connectOptions(role));
      open.push(nc);
      return nc;
    },
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((nc) => nc.close().catch(() => undefined)));
    },
  };
}

describe('startNatsServer()', () => {
  let server: NatsTestServer;
  const pool = connectionPool();

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterEach(() => pool.closeAll());
  afterAll(() => server?.dispose());

  it('serves JetStream on a loopback port', async () => {
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    const nc = await pool.connect(server);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add(eventStreamConfig());
    const ack = await jetstream(nc).publish('iam.v1.events.test', 'first');
    expect(ack.stream).toBe(IAM_EVENTS_STREAM);
    expect(ack.seq).toBe(1);
  });

  it('keeps the port and the stream after kill + restart and after stop + restart', async () => {
    const nc = await pool.connect(server);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'RESTARTS', subjects: ['restarts.>'], storage: StorageType.File });
    await jetstream(nc).publish('restarts.one', 'before kill');
    const { port } = server;

    await server.kill();
    await server.restart();
    expect(server.port).toBe(port);
    // The same connection reconnects by itself.
    await waitFor(() => jsm.streams.info('RESTARTS').then((info) => info.state.messages === 1), {
      timeoutMs: 15_000,
      description: 'the stream to be back with its message',
    });
    await jetstream(nc).publish('restarts.two', 'before stop');

    await server.stop();
    await server.restart();
    expect(server.port).toBe(port);
    const last = await waitFor(() => jsm.streams.getMessage('RESTARTS', { seq: 2 }), { timeoutMs: 15_000 });
    expect(last?.string()).toBe('before stop');
    expect((await jsm.streams.getMessage('RESTARTS', { seq: 1 }))?.string()).toBe('before kill');
  });
});

describe('NatsTestServer.pause() / resume()', () => {
  let server: NatsTestServer;
  const pool = connectionPool();

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterEach(() => pool.closeAll());
  afterAll(() => server?.dispose());

  it('freezes the server without closing its sockets, and thaws it', async () => {
    const nc = await pool.connect(server);
    let disconnects = 0;
    void (async () => {
      for await (const status of nc.status()) if (status.type === 'disconnect') disconnects += 1;
    })();
    await nc.flush();
    await server.pause();
    try {
      // Silence, not an error: the flush is never answered while frozen.
      const answered = await Promise.race([nc.flush().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]);
      expect(answered).toBe(false);
    } finally {
      await server.resume();
    }
    await nc.flush();
    expect(disconnects).toBe(0);
    expect(nc.isClosed()).toBe(false);
  });
});

describe('startNatsServer({ auth: true }) with docker/nats/auth.conf', () => {
  let server: NatsTestServer;
  const pool = connectionPool();

  beforeAll(async () => {
    server = await startNatsServer({ auth: true });
    const nc = await connect(server.connectOptions('authority'));
    try {
      await (await jetstreamManager(nc)).streams.add(eventStreamConfig());
    } finally {
      await nc.close();
    }
  });
  afterEach(() => pool.closeAll());
  afterAll(() => server?.dispose());

  async function streamMessages(): Promise<number> {
    const nc = await pool.connect(server, 'authority');
    return (await (await jetstreamManager(nc)).streams.info(IAM_EVENTS_STREAM)).state.messages;
  }

  it('refuses clients without valid credentials', async () => {
    expect(natsErrorKind(await rejectionOf(connect({ servers: server.url, reconnect: false })))).toBe('authorization');
    expect(natsErrorKind(await rejectionOf(connect({ servers: server.url, user: 'service', pass: 'wrong', reconnect: false })))).toBe('authorization');
  });

  it('lets the authority publish events to the stream', async () => {
    const nc = await pool.connect(server, 'authority');
    const before = await streamMessages();
    const ack = await jetstream(nc).publish('iam.v1.events.x', 'genuine');
    expect(ack.duplicate).toBe(false);
    expect(await streamMessages()).toBe(before + 1);
  });

  it.each<NatsRole>(['service', 'operator'])('refuses a forged event published with the %s credential', async (role) => {
    const nc = await pool.connect(server, role);
    const before = await streamMessages();
    const violations: string[] = [];
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'error' && status.error instanceof PermissionViolationError) violations.push(status.error.subject);
      }
    })();

    const refused = await rejectionOf(jetstream(nc).publish('iam.v1.events.x', 'forged', { timeout: 5000 }));
    expect(natsErrorKind(refused)).toBe('permission');
    expect((refused as Error).message).toContain('iam.v1.events.x');
    nc.publish('iam.v1.events.principal.deleted', 'forged, fire and forget');
    await nc.flush();
    await waitFor(() => violations.length >= 2, { description: 'the server to report both violations' });
    expect(await streamMessages()).toBe(before);
    // The refused publish does not cost the client its connection.
    expect(nc.isClosed()).toBe(false);
  });

  it.each<NatsRole>(['service', 'operator'])('refuses stream administration to the %s credential', async (role) => {
    const nc = await pool.connect(server, role);
    const jsm = await jetstreamManager(nc);
    expect(natsErrorKind(await rejectionOf(jsm.streams.delete(IAM_EVENTS_STREAM)))).toBe('permission');
    expect(natsErrorKind(await rejectionOf(jsm.streams.purge(IAM_EVENTS_STREAM)))).toBe('permission');
    expect(natsErrorKind(await rejectionOf(jsm.streams.update(IAM_EVENTS_STREAM, { max_msgs: 1 })))).toBe('permission');
    expect(natsErrorKind(await rejectionOf(jsm.streams.add({ name: 'FORGED', subjects: ['forged.>'] })))).toBe('permission');
  });

  it.each<NatsRole>(['service', 'operator'])('lets the %s credential read the stream through an ordered consumer', async (role) => {
    const authority = await pool.connect(server, 'authority');
    const reader = await pool.connect(server, role);
    const jsm = await jetstreamManager(reader);
    const info = await jsm.streams.info(IAM_EVENTS_STREAM);
    const first = await jsm.streams.getMessage(IAM_EVENTS_STREAM, { seq: info.state.first_seq });
    expect(first?.seq).toBe(info.state.first_seq);

    // Live tail from the next sequence, as the cache module does.
    const consumer = await jetstream(reader).consumers.get(IAM_EVENTS_STREAM, { opt_start_seq: info.state.last_seq + 1 });
    const received: string[] = [];
    const messages = await consumer.consume({
      callback: (msg) => {
        received.push(msg.string());
      },
    });
    try {
      await jetstream(authority).publish('iam.v1.events.policy.updated', `for ${role}`);
      await waitFor(() => received.includes(`for ${role}`), { description: `the ${role} to receive the event` });
    } finally {
      await messages.close();
    }
    // Services may not delete consumers (auth.conf): theirs expire by inactivity. The operator cleans up.
    if (role === 'operator') await consumer.delete();
    else expect(natsErrorKind(await rejectionOf(consumer.delete()))).toBe('permission');
  });

  it('lets a service call the authority over iam.v1.rpc.>', async () => {
    const authority = await pool.connect(server, 'authority');
    const service = await pool.connect(server, 'service');
    authority.subscribe('iam.v1.rpc.check', {
      callback: (_err, msg) => {
        msg.respond(`allowed: ${msg.string()}`);
      },
    });
    await authority.flush();
    const reply = await service.request('iam.v1.rpc.check', 'user:a', { timeout: 5000 });
    expect(reply.string()).toBe('allowed: user:a');
    // A service cannot listen in on (or answer) other services' RPC requests.
    const refusals: unknown[] = [];
    service.subscribe('iam.v1.rpc.>', {
      callback: (err) => {
        refusals.push(err);
      },
    });
    await service.flush();
    await waitFor(() => refusals.length > 0, { description: 'the subscription to be refused' });
    expect(natsErrorKind(refusals[0])).toBe('permission');
  });

  it('lets an operator gather control replies from every service instance', async () => {
    const operator = await pool.connect(server, 'operator');
    for (const [instance, role] of [
      ['turing-1', 'turing'],
      ['merlin-1', 'merlin'],
    ] as const) {
      const service = await pool.connect(server, role);
      service.subscribe('iam.v1.control.stats', {
        callback: (_err, msg) => {
          msg.respond(`progress ${instance}`);
          msg.respond(`done ${instance}`);
        },
      });
      await service.flush();
    }
    const replies: string[] = [];
    for await (const msg of await operator.requestMany('iam.v1.control.stats', '{}', { maxWait: 3000, maxMessages: 4 })) {
      replies.push(msg.string());
    }
    expect(replies.sort()).toEqual(['done merlin-1', 'done turing-1', 'progress merlin-1', 'progress turing-1']);
  });
});

describe.each(databaseKinds())('createTestDatabase(%s)', (kind) => {
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(databases.splice(0).map((db) => db.dispose()));
  });

  async function create(): Promise<TestDatabase> {
    const db = await createTestDatabase(kind);
    databases.push(db);
    return db;
  }

  it('gives every call its own empty database, and removes it on dispose', async () => {
    const [a, b] = [await create(), await create()];
    expect(a.kind).toBe(kind);
    expect(a.env).not.toEqual(b.env);

    if ('DATABASE_URL' in a.env) {
      const client = new Client({ connectionString: a.env.DATABASE_URL });
      await client.connect();
      try {
        const tables = await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
        expect(tables.rows[0].n).toBe(0);
        await client.query('CREATE TABLE probe (id int)');
      } finally {
        await client.end();
      }
      await a.dispose();
      const after = new Client({ connectionString: a.env.DATABASE_URL });
      await expect(after.connect()).rejects.toThrow(/does not exist/);
      await after.end().catch(() => undefined);
    } else if ('IAM_DATA_DIR' in a.env && 'IAM_DATA_DIR' in b.env) {
      // A copy of the run's initialised template (globalSetup made it): no initdb, no table yet, and copies are independent.
      const dir = a.env.IAM_DATA_DIR;
      expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
      const first = await PgliteDatabase.open(dir);
      try {
        expect(await first.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")).toEqual([{ n: 0 }]);
        await first.query('CREATE TABLE probe (id int)');
      } finally {
        await first.close();
      }
      const second = await PgliteDatabase.open(b.env.IAM_DATA_DIR);
      try {
        expect(await second.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")).toEqual([{ n: 0 }]);
      } finally {
        await second.close();
      }
      await a.dispose();
      expect(existsSync(dir)).toBe(false);
    } else {
      throw new Error(`unexpected test database env ${JSON.stringify(a.env)}`);
    }
  });

});

// Defined only where PostgreSQL is configured (TEST_DATABASE_URL), like every storage suite's postgres half.
if (databaseKinds().includes('postgres')) {
  describe('createTestDatabase(postgres)', () => {
    it('drops a database an app still holds connections to', async () => {
      const db = await createTestDatabase('postgres');
      const url = (db.env as { DATABASE_URL: string }).DATABASE_URL;
      const client = new Client({ connectionString: url });
      client.on('error', () => undefined);
      await client.connect();
      try {
        await db.dispose();
      } finally {
        await client.end().catch(() => undefined);
      }
      const after = new Client({ connectionString: url });
      await expect(after.connect()).rejects.toThrow(/does not exist/);
      await after.end().catch(() => undefined);
    });
  });
}
