import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { IAM_EVENTS_STREAM } from '@iam/contracts';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { CacheApp, logLines, startCacheApp, testOptions } from './support/cache-app';
import { StandInAuthority } from '../support/stand-in-authority';

jest.setTimeout(60_000);

const ADA = 'user:ada@example.com';
const BOB = 'user:bob@example.com';

describe('snapshots (semantics 12)', () => {
  let nats: NatsTestServer;
  let authority: StandInAuthority;
  let operator: NatsConnection;
  let dir: string;
  let snapshotPath: string;
  const apps: CacheApp[] = [];

  async function app(): Promise<CacheApp> {
    const started = await startCacheApp(testOptions(nats.url, { snapshotPath, snapshotIntervalMs: 200 }));
    apps.push(started);
    await waitFor(() => started.authz.live, { description: 'the subscription to be live' });
    return started;
  }
  async function close(a: CacheApp): Promise<void> {
    apps.splice(apps.indexOf(a), 1);
    await a.close();
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    operator = await connect(nats.connectOptions());
    authority = await StandInAuthority.start(nats.connectOptions());
    dir = mkdtempSync(join(tmpdir(), 'authz-snapshot-'));
    snapshotPath = join(dir, 'cache', 'turing.snapshot.json');
  });
  afterAll(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await authority?.close();
    await operator?.close();
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores the caches on start and replays the events published since the snapshot', async () => {
    const first = await app();
    authority.allow(ADA, 'routers.read', 'projects:1');
    authority.allow(BOB, 'routers.read', 'projects:2');
    await first.authz.check(ADA, 'routers.read', 'projects:1');
    await first.authz.check(BOB, 'routers.read', 'projects:2');
    const { seq } = await authority.publish('group.created', ['g:group:eng']);
    await waitFor(() => first.authz.stats().appliedSequence === seq);
    await close(first); // writes a last snapshot at seq
    expect(existsSync(snapshotPath)).toBe(true);

    // While no instance runs: ADA loses access, and the event says so.
    authority.deny(ADA, 'routers.read', 'projects:1');
    const revoked = await authority.publish('policy.deleted', [`p:${ADA}`], { policyId: 'pol_1' });

    const calls = authority.calls.check;
    const second = await app();
    expect(second.subscriber?.status().startedFrom).toBe('snapshot');
    await waitFor(() => second.authz.stats().appliedSequence === revoked.seq, { description: 'the replay from the snapshot' });
    // BOB's entry came from the snapshot: no authority call.
    expect((await second.authz.check(BOB, 'routers.read', 'projects:2')).allowed).toBe(true);
    expect(authority.calls.check).toBe(calls);
    // ADA's entry was busted by the event published after the snapshot.
    expect((await second.authz.check(ADA, 'routers.read', 'projects:1')).allowed).toBe(false);
    expect(authority.calls.check).toBe(calls + 1);
    expect(logLines.some((line) => line.includes('snapshot restored at seq'))).toBe(true);
    await close(second);
  });

  it('discards a snapshot older than the stream first sequence', async () => {
    expect(existsSync(snapshotPath)).toBe(true);
    await authority.publish('policy.updated', [`p:${BOB}`]);
    await authority.publish('policy.updated', [`p:${BOB}`]);
    // Events the snapshot never saw are gone: it can no longer be caught up.
    await jetstreamManager(operator).then((jsm) => jsm.streams.purge(IAM_EVENTS_STREAM));

    const calls = authority.calls.check;
    const third = await app();
    expect(third.subscriber?.status().startedFrom).toBe('stream-end');
    expect(third.authz.stats().cache?.decisionEntries).toBe(0);
    expect(logLines.some((line) => line.includes('discarded') && line.includes('stream now starts at'))).toBe(true);
    await third.authz.check(BOB, 'routers.read', 'projects:2');
    expect(authority.calls.check).toBe(calls + 1);
    await close(third);
  });

  it('discards a snapshot of a stream that was since deleted and recreated', async () => {
    const fourth = await app();
    authority.allow(ADA, 'routers.read', 'projects:3');
    await fourth.authz.check(ADA, 'routers.read', 'projects:3');
    await close(fourth);
    const jsm = await jetstreamManager(operator);
    await jsm.streams.delete(IAM_EVENTS_STREAM);
    await authority.provision();
    for (let i = 0; i < 5; i += 1) await authority.publish('group.created', ['g:group:eng']);

    const fifth = await app();
    expect(fifth.subscriber?.status().startedFrom).toBe('stream-end');
    expect(fifth.authz.stats().cache?.decisionEntries).toBe(0);
    expect(logLines.some((line) => line.includes('discarded') && line.includes('recreated'))).toBe(true);
  });
});
