import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { createTestDatabase, databaseKinds, TestDatabase } from '../support/database';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { AuthorityApi, readStream, streamCount } from './authority-harness';
import { startTestAuthority } from '../support/authority';
import { AppProcess } from '../support/app-process';

/** The authority with a relay hook that SIGKILLs it before its first publish (built by globalSetup). */
const CRASHING_AUTHORITY_MAIN = join(__dirname, '..', '..', 'dist', 'test', 'support', 'crash-before-publish-authority.js');

// Restarts of servers and processes take seconds, not jest's default 5 (a child authority's first PGlite open alone can take a minute on busy cores).
jest.setTimeout(180_000);

/*
 * Acceptance 2: no event lost, none published twice.
 * - SIGKILL after commit and before publish (a child process started from
 *   test/support/crash-before-publish-authority.ts, which injects the relay
 *   hook): the restarted authority publishes the event, exactly once.
 * - NATS stopped during mutations: they still succeed; when NATS is back the
 *   events go out in revision order without duplicates.
 * - NATS down when the authority starts: same.
 */
describe.each(databaseKinds())('authority crash and outage recovery (%s)', (kind) => {
  let nats: NatsTestServer;
  let nc: NatsConnection;
  const databases: TestDatabase[] = [];
  const processes: AppProcess[] = [];
  const inProcess: RunningAuthority[] = [];

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase(kind);
    databases.push(db);
    return db;
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect(nats.connectOptions());
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
    await Promise.all(inProcess.splice(0).map((a) => a.close()));
    await Promise.all(databases.splice(0).map((db) => db.dispose()));
  });

  afterAll(async () => {
    await nc?.close().catch(() => undefined);
    await nats?.dispose();
  });

  async function eventsWithIdsOf(ids: Set<string>) {
    return (await readStream(nc)).filter((entry) => ids.has(entry.event.id));
  }

  it('publishes an event committed before a SIGKILL exactly once after the restart', async () => {
    const db = await database();
    const crashing = await startTestAuthority(nats, db, { childProcess: true, main: CRASHING_AUTHORITY_MAIN });
    processes.push(crashing);
    const before = await streamCount(nc);

    const response = await new AuthorityApi(crashing.url!).request('POST', '/v1/principals', { id: 'user:crash@example.com' });
    expect(response.status).toBe(201);
    const exit = await crashing.exited();
    expect(exit.signal).toBe('SIGKILL');
    expect(await streamCount(nc)).toBe(before);

    const restarted = await startTestAuthority(nats, db, { childProcess: true });
    processes.push(restarted);
    const published = await waitFor(
      async () => (await readStream(nc)).find((entry) => entry.event.revision === response.body.revision && entry.event.type === 'principal.created'),
      { description: 'the committed event to be published after the restart' },
    );
    expect(published.event.payload).toEqual({ principalId: 'user:crash@example.com' });

    // A restart republishes nothing (rows are marked), and a republish would be deduplicated anyway.
    await restarted.stop();
    const again = await startTestAuthority(nats, db, { childProcess: true });
    processes.push(again);
    await new AuthorityApi(again.url!).ok('POST', '/v1/groups', { id: 'group:after-crash' });
    await waitFor(async () => (await readStream(nc)).some((entry) => entry.event.type === 'group.created' && entry.event.payload.groupId === 'group:after-crash'));
    expect(await eventsWithIdsOf(new Set([published.event.id]))).toHaveLength(1);
    const jsAck = await jetstream(nc).publish('iam.v1.events.principal.created', new TextEncoder().encode(JSON.stringify(published.event)), { msgID: published.event.id });
    expect(jsAck.duplicate).toBe(true);
  });

  it('keeps taking mutations while NATS is stopped and publishes them in order, once, when it is back', async () => {
    const db = await database();
    const authority = await startTestAuthority(nats, db);
    inProcess.push(authority);
    const api = new AuthorityApi(authority.url);
    await api.ok('POST', '/v1/groups', { id: 'group:outage' });
    await waitFor(async () => (await authority.core.relay.backlog()) === 0, { description: 'the first event to be published' });

    await nats.stop();
    const revisions: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const response = await api.request('POST', '/v1/principals', { id: `sa:outage-${i}` });
      expect(response.status).toBe(201);
      revisions.push(response.body.revision);
    }
    expect(await authority.core.relay.backlog()).toBeGreaterThan(0);
    const health = await api.request('GET', '/health', undefined, null);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', database: 'up' });

    await nats.restart();
    await waitFor(async () => (await authority.core.relay.backlog()) === 0, { timeoutMs: 30_000, description: 'the backlog to drain' });
    const events = await waitFor(async () =>
      (await readStream(nc)).filter((entry) => entry.event.type === 'principal.created' && String(entry.event.payload.principalId).startsWith('sa:outage-')),
    );
    expect(events.map((entry) => entry.event.revision)).toEqual(revisions);
    expect(new Set(events.map((entry) => entry.event.id)).size).toBe(20);
  });

  it('starts while NATS is down, takes mutations, and publishes them when NATS comes up', async () => {
    const db = await database();
    await nats.stop();
    let authority: RunningAuthority;
    try {
      authority = await startTestAuthority(nats, db);
      inProcess.push(authority);
      const api = new AuthorityApi(authority.url);
      const created = await api.ok('POST', '/v1/principals', { id: 'user:early@example.com' });
      expect((await api.check('user:early@example.com', 'x.read', 'a')).revision).toBe(created.revision);
    } finally {
      await nats.restart();
    }
    await waitFor(async () => (await authority.core.relay.backlog()) === 0, { timeoutMs: 30_000, description: 'the backlog to drain' });
    // The test's own connection may still be reconnecting: read when it can.
    const events = await waitFor(async () =>
      (await readStream(nc)).filter((entry) => entry.event.type === 'principal.created' && entry.event.payload.principalId === 'user:early@example.com'),
    );
    expect(events).toHaveLength(1);
  });
});
