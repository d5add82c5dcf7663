import { IAM_EVENTS_STREAM } from '@iam/contracts';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, type StreamUpdateConfig } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { createTestDatabase, databaseKinds, TestDatabase } from '../support/database';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { AuthorityApi, readStream } from './authority-harness';
import { startTestAuthority } from '../support/authority';
import { CheckpointRecorder, checkpointViolations } from './checkpoint-recorder';

// Restarts of servers take seconds, not jest's default 5.
jest.setTimeout(90_000);

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/*
 * Freshness checkpoints (docs/architecture.md#freshness-lease): the active
 * relay sends one every IAM_CHECKPOINT_MS (250) on iam.v1.checkpoint, with the
 * committed revision and a stream sequence at or after every event up to it,
 * and none while some committed event is not on the stream. The safety poll
 * is 10 minutes here: whatever happens promptly happens because the relay
 * was woken (commit, NATS reconnect) or found its backlog at a checkpoint.
 */
describe.each(databaseKinds())('relay freshness checkpoints (%s)', (kind) => {
  let nats: NatsTestServer;
  let db: TestDatabase;
  let authority: RunningAuthority | undefined;
  let api: AuthorityApi;
  let nc: NatsConnection;
  let recorder: CheckpointRecorder;

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await createTestDatabase(kind);
    authority = await startTestAuthority(nats, db, { env: { IAM_RELAY_POLL_MS: '600000' } });
    api = new AuthorityApi(authority.url);
    nc = await connect({ ...nats.connectOptions(), maxReconnectAttempts: -1 });
    recorder = await CheckpointRecorder.start(nats.connectOptions());
  });

  afterAll(async () => {
    await recorder?.close();
    await nc?.close().catch(() => undefined);
    await authority?.close();
    await db?.dispose();
    await nats?.dispose();
  });

  it('sends about four checkpoints a second, with the committed revision and a sequence covering its events', async () => {
    let last = 0;
    for (const i of [1, 2, 3, 4, 5]) last = (await api.ok('POST', '/v1/principals', { id: `user:cp-${i}@example.com` })).revision;
    await waitFor(() => recorder.received.some((entry) => entry.checkpoint.revision === last), { description: `a checkpoint at revision ${last}` });

    const from = Date.now();
    await sleep(2000);
    const window = recorder.since(from);
    // 2 s at one per 250 ms is 8; orders of magnitude only (a busy machine delays timers).
    expect(window.length).toBeGreaterThanOrEqual(3);
    expect(window.length).toBeLessThanOrEqual(16);
    expect(window.every((entry) => entry.checkpoint.revision === last)).toBe(true);
    expect(new Set(window.map((entry) => entry.checkpoint.relay)).size).toBe(1);
    const lastEvent = (await readStream(nc)).find((entry) => entry.event.revision === last)!;
    expect(window[0].checkpoint.sequence).toBe(lastEvent.seq);
    expect(window.every((entry) => entry.checkpoint.issuedAt <= entry.receivedAt + 1000)).toBe(true);
    expect(await checkpointViolations(nc, recorder.received.map((entry) => entry.checkpoint))).toEqual([]);

    const metrics = await (await fetch(`${authority!.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^iam_authority_checkpoint_revision ${last}$`, 'm'));
    expect(Number(/^iam_authority_checkpoints_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it('sends none while JetStream rejects the backlog, and resumes once the backlog is on the stream', async () => {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(IAM_EVENTS_STREAM);
    // A sealed stream refuses every publish (and the relay cannot unseal it); nats.js types leave `sealed` out of updates.
    await jsm.streams.update(IAM_EVENTS_STREAM, { ...info.config, sealed: true } as Partial<StreamUpdateConfig>);
    let committed: number;
    const from = Date.now();
    try {
      committed = (await api.ok('POST', '/v1/groups', { id: 'group:while-sealed' })).revision;
      await sleep(1500);
      expect(recorder.since(from).filter((entry) => entry.checkpoint.revision >= committed)).toEqual([]);
      // Stream state only: reading messages races the relay's repeated (refused) re-provisioning of the sealed stream.
      expect((await jsm.streams.info(IAM_EVENTS_STREAM)).state.last_seq).toBe(info.state.last_seq);
    } finally {
      // Deleted (even when the test failed, for the next one): the relay provisions a new stream and publishes the backlog there.
      await jsm.streams.delete(IAM_EVENTS_STREAM);
    }
    const resumed = await waitFor(() => recorder.since(from).find((entry) => entry.checkpoint.revision >= committed), {
      description: `a checkpoint at revision ${committed} after the stream came back`,
    });
    expect((await readStream(nc)).map((entry) => entry.event.revision)).toEqual([committed]);
    expect(await checkpointViolations(nc, [resumed.checkpoint], committed)).toEqual([]);
  });

  it('after a nats-server restart (same storage and port), publishes what was committed meanwhile and resumes checkpoints without waiting for the poll', async () => {
    const before = (await readStream(nc)).map((entry) => entry.event.revision);
    const firstOnStream = before[0];
    await nats.stop();
    const committed = (await api.ok('POST', '/v1/groups', { id: 'group:while-nats-down' })).revision;
    const restartedAt = Date.now();
    await nats.restart();

    await waitFor(async () => (await readStream(nc)).some((entry) => entry.event.revision === committed), {
      timeoutMs: 20_000,
      description: `revision ${committed} on the stream after the restart`,
    });
    // The safety poll is 10 minutes: only the reconnect (or a checkpoint finding the backlog) can have done it.
    expect(Date.now() - restartedAt).toBeLessThan(20_000);
    const resumed = await waitFor(() => recorder.since(restartedAt).find((entry) => entry.checkpoint.revision >= committed), {
      description: `a checkpoint at revision ${committed}`,
    });
    expect(await checkpointViolations(nc, [resumed.checkpoint], firstOnStream)).toEqual([]);
    expect(recorder.since(restartedAt).filter((entry) => entry.checkpoint.revision < committed && entry.checkpoint.issuedAt >= restartedAt)).toEqual([]);
  });
});
