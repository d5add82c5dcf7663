import { jetstream } from '@nats-io/jetstream';
import { RPC_SUBJECTS } from '@iam/contracts';
import { natsErrorKind, rejectionOf } from '../support/nats-errors';
import { waitFor } from '../support/wait';
import { readStream, rpc, streamCount, useAuthoritySuite } from './authority-harness';
import { TEST_SERVICE_TOKEN } from '../support/credentials';

// Restarts of servers and processes take seconds, not jest's default 5.
jest.setTimeout(60_000);

/*
 * docs/architecture.md#security with the authority in it: on a server running
 * docker/nats/auth.conf the authority, logged in as `authority`, provisions
 * the stream, publishes events and answers RPC; a `service` credential can
 * call the RPC but cannot forge an event.
 */
describe('authority on a NATS server with accounts and permissions', () => {
  // The test's own connection `nc` is a service's.
  const suite = useAuthoritySuite('pglite', { nats: { auth: true }, connectAs: 'service' });

  it('publishes events and answers RPC as the authority user', async () => {
    const created = await suite.api.ok('POST', '/v1/principals', { id: 'user:secure@example.com' });
    const event = await waitFor(async () => (await readStream(suite.nc)).find((entry) => entry.event.revision === created.revision), {
      description: 'the event to be readable by a service',
    });
    expect(event.event.type).toBe('principal.created');
    const reply = await rpc(suite.nc, RPC_SUBJECTS.check, { serviceToken: TEST_SERVICE_TOKEN, principal: 'user:secure@example.com', action: 'a.b', resource: 'c' });
    expect(reply).toEqual({ ok: true, result: { allowed: false, revision: created.revision, tags: ['p:user:secure@example.com', 'r:c'] } });
    const health = await suite.api.request('GET', '/health', undefined, null);
    expect(health.body).toMatchObject({ status: 'ok', nats: 'connected', relay: { active: true, backlog: 0, lastError: null } });
  });

  it('refuses an event forged with the service credential', async () => {
    const before = await streamCount(suite.nc);
    expect(before).toBeGreaterThan(0);
    const refused = await rejectionOf(jetstream(suite.nc).publish('iam.v1.events.x', '{"forged":true}', { timeout: 5000 }));
    expect(natsErrorKind(refused)).toBe('permission');
    expect(await streamCount(suite.nc)).toBe(before);
  });
});
