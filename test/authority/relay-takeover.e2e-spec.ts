import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { createTestDatabase, databaseKinds, TestDatabase } from '../support/database';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { AuthorityApi, readStream } from './authority-harness';
import { AppProcess } from '../support/app-process';
import { startTestAuthority } from '../support/authority';
import { CheckpointRecorder, checkpointViolations } from './checkpoint-recorder';

// Child processes start in seconds on a busy machine.
jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/*
 * docs/architecture.md#scale-out-and-failover: a standby authority replica takes the relay and the
 * checkpoints over within about a second of the active one stopping, even
 * when the active one is FROZEN (SIGSTOP keeps its PostgreSQL session open,
 * which would keep a session advisory lock forever; the relay lease row
 * expires instead). Once resumed, the old holder finds its lease gone and
 * sends nothing more. PostgreSQL only (PGlite is one process).
 */
const postgres = databaseKinds().includes('postgres');

(postgres ? describe : describe.skip)('relay takeover from a frozen holder (postgres)', () => {
  let nats: NatsTestServer;
  let db: TestDatabase;
  let nc: NatsConnection;
  let recorder: CheckpointRecorder;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await createTestDatabase('postgres');
    nc = await connect(nats.connectOptions());
    recorder = await CheckpointRecorder.start(nats.connectOptions());
  });

  afterAll(async () => {
    // A frozen process is killed too (SIGKILL needs no SIGCONT).
    await Promise.all(processes.map((p) => p.kill()));
    await recorder?.close();
    await nc?.close().catch(() => undefined);
    await db?.dispose();
    await nats?.dispose();
  });

  async function relayIdOf(api: AuthorityApi): Promise<string> {
    return (await api.ok<{ relay: { relay: string } }>('GET', '/health', undefined, null)).relay.relay;
  }

  it('the standby takes the relay and the checkpoints over within seconds; the resumed old holder sends nothing more; no event lost or duplicated', async () => {
    const first = await startTestAuthority(nats, db, { childProcess: true });
    processes.push(first);
    const firstApi = new AuthorityApi(first.url!);
    const firstId = await relayIdOf(firstApi);
    await waitFor(() => recorder.received.some((entry) => entry.checkpoint.relay === firstId), { timeoutMs: 30_000, description: 'checkpoints of the first replica' });

    const second = await startTestAuthority(nats, db, { childProcess: true });
    processes.push(second);
    const secondApi = new AuthorityApi(second.url!);
    const secondId = await relayIdOf(secondApi);
    expect(secondId).not.toBe(firstId);
    await secondApi.ok('POST', '/v1/principals', { id: 'user:alice@example.com' });
    const token = await secondApi.ok<{ tokenId: string; revision: number }>('POST', `/v1/principals/${encodeURIComponent('user:alice@example.com')}/tokens`, {});
    await waitFor(() => recorder.received.some((entry) => entry.checkpoint.relay === firstId && entry.checkpoint.revision >= token.revision), {
      description: 'the first replica to relay the standby\'s commits',
    });
    expect(recorder.received.some((entry) => entry.checkpoint.relay === secondId)).toBe(false);

    first.suspend();
    const frozenAt = Date.now();
    const takenOver = await waitFor(() => recorder.since(frozenAt).find((entry) => entry.checkpoint.relay === secondId), {
      timeoutMs: 30_000,
      description: 'checkpoints of the standby',
    });
    // Lease 1 s, standby tries every 250 ms: about a second. Order of magnitude only (a busy machine).
    expect(takenOver.receivedAt - frozenAt).toBeLessThan(5000);

    const revoked = await secondApi.ok<{ revision: number }>('DELETE', `/v1/tokens/${encodeURIComponent(token.tokenId)}`);
    await waitFor(async () => (await readStream(nc)).some((entry) => entry.event.revision === revoked.revision), { description: 'the revoke on the stream' });
    await waitFor(() => recorder.received.some((entry) => entry.checkpoint.relay === secondId && entry.checkpoint.revision >= revoked.revision), {
      description: 'a checkpoint of the standby covering the revoke',
    });

    first.resume();
    await sleep(1500);
    const settled = Date.now();
    await secondApi.ok('POST', '/v1/groups', { id: 'group:after-resume' });
    const last = (await firstApi.ok('POST', '/v1/groups', { id: 'group:committed-at-the-old-holder' })).revision;
    await waitFor(() => recorder.received.some((entry) => entry.checkpoint.revision >= last), { description: 'a checkpoint covering the last commit' });
    await sleep(1000);
    expect([...new Set(recorder.since(settled).map((entry) => entry.checkpoint.relay))]).toEqual([secondId]);
    expect(first.logs).toContain('lost the relay lease');

    const events = await readStream(nc);
    expect(events.map((entry) => entry.event.revision)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(new Set(events.map((entry) => entry.event.id)).size).toBe(events.length);
    expect(await checkpointViolations(nc, recorder.received.map((entry) => entry.checkpoint))).toEqual([]);
  });
});
