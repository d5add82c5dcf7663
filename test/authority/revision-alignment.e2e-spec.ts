import { connect, NatsConnection } from 'nats';
import { IAM_EVENTS_STREAM } from '@iam/contracts';
import { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { createTestDatabase, databaseKinds, TestDatabase } from '../support/database';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { AuthorityApi, readStream, startTestAuthority } from './authority-harness';

jest.setTimeout(60_000);

/*
 * Revisions stay monotonic on the stream: an authority started on an empty
 * (reset) database against a stream that already holds revisions up to N
 * continues from N, so a consumer that took N from the stream never treats a
 * new change as already applied.
 */
describe.each(databaseKinds())('authority revision alignment with the stream (%s)', (kind) => {
  let nats: NatsTestServer;
  let first: TestDatabase;
  let second: TestDatabase;
  let authority: RunningAuthority | undefined;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    first = await createTestDatabase(kind);
    second = await createTestDatabase(kind);
    nc = await connect(nats.connectOptions());
  });

  afterAll(async () => {
    await authority?.close();
    await nc?.close().catch(() => undefined);
    await first?.dispose();
    await second?.dispose();
    await nats?.dispose();
  });

  it('an authority on a reset database continues after the newest revision on the stream', async () => {
    authority = await startTestAuthority(nats, first);
    let api = new AuthorityApi(authority.url);
    let last = 0;
    for (const name of ['a', 'b', 'c']) last = (await api.ok('POST', '/v1/principals', { id: `user:${name}@example.com` })).revision;
    expect(last).toBe(3);
    await waitFor(async () => (await readStream(nc)).length === 3 || undefined, { description: 'three events on the stream' });
    await authority.close();
    authority = undefined;

    authority = await startTestAuthority(nats, second);
    api = new AuthorityApi(authority.url);
    // The relay aligns the counter once it reaches the stream; wait for it before mutating.
    await waitFor(async () => (await api.check('user:a@example.com', 'routers.read', 'projects:1')).revision >= 3 || undefined, {
      description: 'the revision counter to be aligned with the stream',
    });
    const next = await api.ok('POST', '/v1/principals', { id: 'user:d@example.com' });
    expect(next.revision).toBe(4);
    await waitFor(async () => (await readStream(nc)).length === 4 || undefined, { description: 'the fourth event' });
    const revisions = (await readStream(nc)).map((m) => m.event.revision);
    expect(revisions).toEqual([1, 2, 3, 4]);
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(IAM_EVENTS_STREAM)).state.messages).toBe(4);
  });
});
