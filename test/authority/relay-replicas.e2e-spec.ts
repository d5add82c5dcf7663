import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { createTestDatabase, databaseKinds, TestDatabase } from '../support/database';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { AuthorityApi, readStream } from './authority-harness';
import { startTestAuthority } from '../support/authority';

// Restarts of servers and processes take seconds, not jest's default 5.
jest.setTimeout(60_000);

/*
 * Two authority replicas on one PostgreSQL database (docs/architecture.md#scale-out-and-failover):
 * one relay holds the relay lease and publishes everything both replicas
 * commit, in revision order, once; when it stops the other takes over.
 * PostgreSQL only (PGlite is one process by construction).
 */
const postgres = databaseKinds().includes('postgres');

/**
 * A NATS server, a fresh PostgreSQL database and a NATS connection for one
 * describe block; replicas the tests push are closed after it, even on failure.
 */
function useReplicaSuite() {
  let nats: NatsTestServer;
  let db: TestDatabase;
  let nc: NatsConnection;
  const replicas: RunningAuthority[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await createTestDatabase('postgres');
    nc = await connect(nats.connectOptions());
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await nc?.close().catch(() => undefined);
    await db?.dispose();
    await nats?.dispose();
  });

  return {
    replicas,
    get nats() {
      return nats;
    },
    get db() {
      return db;
    },
    get nc() {
      return nc;
    },
  };
}
(postgres ? describe : describe.skip)('authority replicas on PostgreSQL share one relay', () => {
  const suite = useReplicaSuite();
  const { replicas } = suite;

  it('publishes every replica\'s mutations once, in revision order, and fails over when the active relay stops', async () => {
    replicas.push(await startTestAuthority(suite.nats, suite.db));
    replicas.push(await startTestAuthority(suite.nats, suite.db));
    const [a, b] = replicas;
    await waitFor(() => a.core.relay.status().active !== b.core.relay.status().active, { description: 'exactly one active relay' });

    const apis = [new AuthorityApi(a.url), new AuthorityApi(b.url)];
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => apis[i % 2].ok('POST', '/v1/principals', { id: `sa:replica-${i}` })));
    const revisions = responses.map((r) => r.revision as number).sort((x, y) => x - y);
    expect(revisions).toEqual(Array.from({ length: 40 }, (_, i) => revisions[0] + i));
    const published = await waitFor(
      async () => {
        const events = await readStream(suite.nc);
        return events.length >= 40 ? events : null;
      },
      { description: 'all 40 events' },
    );
    expect(published.map((e) => e.event.revision)).toEqual(revisions);

    const active = a.core.relay.status().active ? a : b;
    const standby = active === a ? b : a;
    await active.close();
    const after = await new AuthorityApi(standby.url).ok('POST', '/v1/groups', { id: 'group:after-failover' });
    await waitFor(async () => (await readStream(suite.nc)).some((e) => e.event.revision === after.revision), { timeoutMs: 20_000, description: 'the standby to publish' });
    expect(standby.core.relay.status().active).toBe(true);
    const all = await readStream(suite.nc);
    expect(new Set(all.map((e) => e.event.id)).size).toBe(all.length);
  });
});

/*
 * A commit at the standby replica wakes the active relay through PostgreSQL
 * LISTEN/NOTIFY: with the safety poll set to 10 minutes, the event is still
 * on the stream within seconds.
 */
(postgres ? describe : describe.skip)('a commit at a standby replica wakes the active relay (LISTEN/NOTIFY)', () => {
  const suite = useReplicaSuite();
  const { replicas } = suite;

  it('publishes a standby replica\'s mutation without waiting for the poll', async () => {
    const slowPoll = { env: { IAM_RELAY_POLL_MS: '600000' } };
    replicas.push(await startTestAuthority(suite.nats, suite.db, slowPoll));
    await waitFor(() => replicas[0].core.relay.status().active, { description: 'the first replica to hold the relay lease' });
    // Its relay provisions the stream once connected; then it sleeps up to the 10-minute poll between wake-ups.
    await waitFor(() => jetstreamManager(suite.nc).then((jsm) => jsm.streams.info('IAM_EVENTS')), { description: 'the stream' });
    replicas.push(await startTestAuthority(suite.nats, suite.db, slowPoll));
    const [active, standby] = replicas;
    expect(standby.core.relay.status().active).toBe(false);

    for (const i of [1, 2, 3]) {
      const response = await new AuthorityApi(standby.url).ok('POST', '/v1/principals', { id: `sa:standby-${i}` });
      await waitFor(async () => (await readStream(suite.nc)).some((e) => e.event.revision === response.revision), {
        timeoutMs: 15_000,
        description: `revision ${response.revision} on the stream`,
      });
    }
    expect(active.core.relay.status().active).toBe(true);
    expect((await readStream(suite.nc)).map((e) => e.event.payload)).toEqual([1, 2, 3].map((i) => expect.objectContaining({ principalId: `sa:standby-${i}` })));
  });
});
