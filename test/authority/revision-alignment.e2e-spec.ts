import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createEvent, encodeEvent, IAM_EVENTS_STREAM, subjectFor } from '@iam/contracts';
import { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { createTestDatabase, databaseKinds, TestDatabase } from '../support/database';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { AuthorityApi, readStream } from './authority-harness';
import { startTestAuthority } from '../support/authority';
import { CheckpointRecorder } from './checkpoint-recorder';

// Several PGlite authorities start one after the other: minutes on a loaded machine.
jest.setTimeout(180_000);

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
  let third: TestDatabase;
  let recorder: CheckpointRecorder;
  let authority: RunningAuthority | undefined;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    first = await createTestDatabase(kind);
    second = await createTestDatabase(kind);
    third = await createTestDatabase(kind);
    recorder = await CheckpointRecorder.start(nats.connectOptions());
    nc = await connect(nats.connectOptions());
  });

  afterAll(async () => {
    await authority?.close();
    await recorder?.close();
    await nc?.close().catch(() => undefined);
    await first?.dispose();
    await second?.dispose();
    await third?.dispose();
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
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(IAM_EVENTS_STREAM)).state.messages).toBe(4);
  });

  /*
   * docs/architecture.md#revision-integrity: a schema-valid event with
   * revision 10^12, published by a client that bypasses the authority (NATS
   * without auth), must not move the authority's counter, neither on a
   * restart against its own database nor on a reset database.
   */
  async function restartOn(db: TestDatabase): Promise<AuthorityApi> {
    await authority?.close();
    authority = undefined;
    const startedAt = Date.now();
    authority = await startTestAuthority(nats, db);
    // A checkpoint comes after the relay provisioned the stream and aligned the counter.
    await waitFor(() => recorder.since(startedAt).length > 0, { description: 'a checkpoint of the restarted authority' });
    return new AuthorityApi(authority.url);
  }

  it('a forged event with revision 10^12 on the stream does not move the counter of a restarted authority', async () => {
    await waitFor(async () => (await authority!.core.relay.backlog()) === 0, { description: 'every committed event on the stream' });
    const own = Math.max(...(await readStream(nc)).map((m) => m.event.revision));
    const forged = createEvent({ type: 'principal.created', revision: 1e12, actor: 'intruder', tags: ['p:user:x@example.com'], payload: { principalId: 'user:x@example.com' } });
    await jetstream(nc).publish(subjectFor('principal.created'), encodeEvent(forged), { msgID: forged.id });
    expect((await readStream(nc)).at(-1)!.event.revision).toBe(1e12);

    const api = await restartOn(second);
    const next = await api.ok('POST', '/v1/principals', { id: 'user:after-forgery@example.com' });
    expect(next.revision).toBe(own + 1);
    await waitFor(async () => (await readStream(nc)).some((m) => m.event.revision === own + 1) || undefined, { description: 'the next event' });
  });

  it('a reset database continues after the newest corroborated revision, not after a forged one', async () => {
    const events = await readStream(nc);
    const own = Math.max(...events.map((m) => m.event.revision).filter((revision) => revision < 1e12));
    // Not 10^12 + 1: that would be corroborated by the first forgery (the documented residual risk of contiguous forgeries).
    const forged = createEvent({ type: 'group.created', revision: 2e12, actor: 'intruder', tags: ['g:group:x'], payload: { groupId: 'group:x' } });
    await jetstream(nc).publish(subjectFor('group.created'), encodeEvent(forged), { msgID: forged.id });

    const api = await restartOn(third);
    const next = await api.ok('POST', '/v1/principals', { id: 'user:after-reset@example.com' });
    expect(next.revision).toBe(own + 1);
  });
});
