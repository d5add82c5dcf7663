import { connect, ErrorCode, NatsConnection } from 'nats';
import { RPC_SUBJECTS } from '@iam/contracts';
import { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { createTestDatabase, TestDatabase } from '../support/database';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { AuthorityApi, readStream, rpc, SERVICE_TOKEN, startTestAuthority, streamCount } from './authority-harness';

// Restarts of servers and processes take seconds, not jest's default 5.
jest.setTimeout(60_000);

/*
 * DESIGN.md section 7 with the authority in it: on a server running
 * docker/nats/auth.conf the authority, logged in as `authority`, provisions
 * the stream, publishes events and answers RPC; a `service` credential can
 * call the RPC but cannot forge an event.
 */
describe('authority on a NATS server with accounts and permissions', () => {
  let nats: NatsTestServer;
  let db: TestDatabase;
  let authority: RunningAuthority;
  let api: AuthorityApi;
  let service: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer({ auth: true });
    db = await createTestDatabase('pglite');
    authority = await startTestAuthority(nats, db);
    api = new AuthorityApi(authority.url);
    service = await connect(nats.connectOptions('service'));
  });

  afterAll(async () => {
    await service?.close().catch(() => undefined);
    await authority?.close();
    await db?.dispose();
    await nats?.dispose();
  });

  it('publishes events and answers RPC as the authority user', async () => {
    const created = await api.ok('POST', '/v1/principals', { id: 'user:secure@example.com' });
    const event = await waitFor(async () => (await readStream(service)).find((entry) => entry.event.revision === created.revision), {
      description: 'the event to be readable by a service',
    });
    expect(event.event.type).toBe('principal.created');
    const reply = await rpc(service, RPC_SUBJECTS.check, { serviceToken: SERVICE_TOKEN, principal: 'user:secure@example.com', action: 'a.b', resource: 'c' });
    expect(reply).toEqual({ ok: true, result: { allowed: false, revision: created.revision, tags: ['p:user:secure@example.com', 'r:c'] } });
    const health = await api.request('GET', '/health', undefined, null);
    expect(health.body).toMatchObject({ status: 'ok', nats: 'connected', relay: { active: true, backlog: 0, lastError: null } });
  });

  it('refuses an event forged with the service credential', async () => {
    const before = await streamCount(service);
    expect(before).toBeGreaterThan(0);
    await expect(
      service.jetstream().publish('iam.v1.events.x', new TextEncoder().encode('{"forged":true}'), { timeout: 5000 }),
    ).rejects.toMatchObject({ code: ErrorCode.PermissionsViolation });
    expect(await streamCount(service)).toBe(before);
  });
});
