import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CHECKPOINT_SUBJECT, createEvent, encodeCheckpoint, encodeEvent, IAM_EVENTS_STREAM, IamEvent, SAMPLE_PAYLOADS, subjectFor } from '@iam/contracts';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { CacheApp, logLines, startCacheApp, testOptions } from './support/cache-app';
import { StandInAuthority } from '../support/stand-in-authority';

jest.setTimeout(90_000);

const ADA = 'user:ada@example.com';
const MAX_STALENESS_MS = 1000;
const ROUTE = '/projects/1/routers/1';
const RESOURCE = 'projects:1:routers:1';

function metric(text: string, name: string, label = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line ? Number(line.split(' ').pop()) : NaN;
}

/**
 * The freshness lease, disposable consumers and revision integrity
 * (docs/architecture.md#the-cache-module) against a real nats-server: checkpoints from the stand-in
 * authority, faults made by a bare NATS client (deleting the consumer,
 * publishing forged events and checkpoints).
 */
describe('freshness lease and disposable consumers (real nats-server)', () => {
  let nats: NatsTestServer;
  let authority: StandInAuthority;
  let bare: NatsConnection;
  const apps: CacheApp[] = [];

  async function app(overrides: Parameters<typeof testOptions>[1] = {}): Promise<CacheApp> {
    const started = await startCacheApp(testOptions(nats.url, { maxStalenessMs: MAX_STALENESS_MS, ...overrides }));
    apps.push(started);
    await waitFor(() => started.authz.live && !started.authz.degraded, { description: 'the subscription to be live and fresh' });
    return started;
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    bare = await connect(nats.connectOptions());
  });
  beforeEach(async () => {
    const jsm = await jetstreamManager(bare);
    await jsm.streams.delete(IAM_EVENTS_STREAM).catch(() => undefined);
    authority = await StandInAuthority.start(nats.connectOptions());
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await authority?.close();
  });
  afterAll(async () => {
    await bare?.close();
    await nats?.dispose();
  });

  it('checkpoints stop: degraded within a few intervals, and entries older than maxStalenessMs go back to the authority', async () => {
    const a = await app();
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', RESOURCE);
    expect((await a.get(ROUTE, token)).status).toBe(200);
    const calls = authority.calls.check;
    expect((await a.get(ROUTE, token)).status).toBe(200);
    expect(authority.calls.check).toBe(calls); // a hit while checkpoints flow

    const stoppedAt = Date.now();
    authority.stopCheckpoints();
    await waitFor(() => a.authz.degraded, { description: 'degraded mode' });
    // ~2 intervals (500 ms): an order of magnitude is what a test may assert.
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(await a.get('/health')).toMatchObject({ status: 200, body: { degraded: true, degradedReason: expect.stringMatching(/^no checkpoint for \d+ ms$/) } });

    // A revocation the cache cannot hear about (no event): past the bound, the authority answers.
    authority.deny(ADA, 'routers.read', RESOURCE);
    await new Promise((resolve) => setTimeout(resolve, MAX_STALENESS_MS + 200));
    expect((await a.get(ROUTE, token)).status).toBe(403);
    expect(authority.calls.check).toBeGreaterThan(calls);
    expect(metric((await a.get('/metrics')).text, 'authz_cache_lease_lapsed_reads_total', 'cache="decision"')).toBeGreaterThanOrEqual(1);

    // Checkpoints again: fresh again (only a renewed lease clears degraded mode).
    authority.startCheckpoints();
    await waitFor(() => !a.authz.degraded, { description: 'a renewed lease' });
    const health = await a.get('/health');
    expect(health.body).toMatchObject({ degraded: false, lastCheckpoint: { revision: authority.revision } });
    expect(health.body.freshAsOfAgeMs).toBeLessThan(5000);
  });

  it('a checkpoint ahead of the applied sequence re-creates the consumer, and the lease renews once its events are applied', async () => {
    const a = await app();
    authority.stopCheckpoints();
    const info = await authority.streamInfo();
    const applied = a.authz.stats().appliedSequence;
    // A checkpoint whose events are not (yet) delivered: the consumer looks stuck.
    bare.publish(
      CHECKPOINT_SUBJECT,
      encodeCheckpoint({ v: 1, revision: authority.revision + 2, sequence: applied + 2, stream: info.created, issuedAt: Date.now(), relay: 'test' }),
    );
    await waitFor(() => (a.subscriber?.status().consumerRecreations ?? 0) >= 1, { description: 'a consumer re-creation' });
    await waitFor(() => /ahead of applied/.test(a.authz.stats().degradedReason ?? ''), { description: 'the reason: a checkpoint ahead' });
    expect(metric((await a.get('/metrics')).text, 'authz_cache_consumer_recreations_total', 'reason="checkpoint-ahead"')).toBeGreaterThanOrEqual(1);
    expect(logLines.some((l) => l.includes('re-creating the consumer') && l.includes('checkpoint-ahead'))).toBe(true);

    // The events arrive: the waiting checkpoint is reached and renews the lease.
    await authority.publish('group.created', ['g:group:x']);
    await authority.publish('group.created', ['g:group:y']);
    await waitFor(() => a.authz.stats().appliedSequence >= applied + 2, { description: 'the two events' });
    authority.startCheckpoints();
    await waitFor(() => !a.authz.degraded, { description: 'the lease renewed by the waiting checkpoint' });
    const recreations = a.subscriber!.status().consumerRecreations;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(a.subscriber!.status().consumerRecreations).toBe(recreations); // nothing ahead any more
  });

  it('a consumer deleted by another client is re-created at once and the cache is fresh again', async () => {
    const a = await app();
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', RESOURCE);
    expect((await a.get(ROUTE, token)).status).toBe(200);
    for (let round = 0; round < 3; round += 1) {
      const jsm = await jetstreamManager(bare);
      const names: string[] = [];
      for await (const consumer of jsm.consumers.list(IAM_EVENTS_STREAM)) names.push(consumer.name);
      expect(names.length).toBe(1);
      const before = a.subscriber!.status().consumerRecreations;
      await jsm.consumers.delete(IAM_EVENTS_STREAM, names[0]);
      await waitFor(() => a.subscriber!.status().consumerRecreations > before && a.authz.live, { description: 'a new consumer' });
      // The revocation travels through the new consumer.
      authority.deny(ADA, 'routers.read', RESOURCE);
      const { seq } = await authority.publish('policy.updated', [`p:${ADA}`]);
      await waitFor(() => a.authz.stats().appliedSequence >= seq, { timeoutMs: 5000, description: 'the revoke through the new consumer' });
      expect((await a.get(ROUTE, token)).status).toBe(403);
      authority.allow(ADA, 'routers.read', RESOURCE);
      const { seq: regrant } = await authority.publish('policy.updated', [`p:${ADA}`]);
      await waitFor(() => a.authz.stats().appliedSequence >= regrant);
      expect((await a.get(ROUTE, token)).status).toBe(200);
      await waitFor(() => !a.authz.degraded, { description: 'fresh again' });
    }
    expect(metric((await a.get('/metrics')).text, 'authz_cache_consumer_recreations_total', 'reason="consumer-lost"')).toBeGreaterThanOrEqual(3);
  });

  it('a forged event with revision 10^12: consistency-token reads stay correct and caching keeps working', async () => {
    const a = await app();
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', RESOURCE);
    expect((await a.get(ROUTE, token)).status).toBe(200);
    const trustedBefore = a.authz.stats().appliedRevision;

    const forged = createEvent({ type: 'policy.updated', revision: 1e12, actor: 'user:mallory@example.com', tags: [`p:${ADA}`], payload: SAMPLE_PAYLOADS['policy.updated'] });
    const ack = await jetstream(bare).publish(subjectFor('policy.updated'), encodeEvent(forged as IamEvent));
    await waitFor(() => a.authz.stats().appliedSequence >= ack.seq, { description: 'the forged event' });
    expect(a.authz.stats().appliedRevision).toBeLessThan(1e12);
    expect(a.authz.stats().appliedRevision).toBeGreaterThanOrEqual(trustedBefore);

    // A real revoke after it, read with its consistency token: never the older allow.
    for (let round = 0; round < 5; round += 1) {
      authority.deny(ADA, 'routers.read', RESOURCE);
      const revoked = await authority.publish('policy.updated', [`p:${ADA}`]);
      expect((await a.get(ROUTE, token, { 'x-iam-revision': String(revoked.revision) })).status).toBe(403);
      authority.allow(ADA, 'routers.read', RESOURCE);
      const granted = await authority.publish('policy.updated', [`p:${ADA}`]);
      expect((await a.get(ROUTE, token, { 'x-iam-revision': String(granted.revision) })).status).toBe(200);
    }
    await waitFor(() => a.authz.stats().appliedRevision === authority.revision, { description: 'the trusted revision to follow the real events' });

    // Caching works: the answer is stored again and served without asking.
    expect((await a.get(ROUTE, token)).status).toBe(200);
    const calls = authority.calls.check;
    for (let i = 0; i < 5; i += 1) expect((await a.get(ROUTE, token)).status).toBe(200);
    expect(authority.calls.check).toBe(calls);
  });

  it('a late stream-info reply during bursts is not taken for a rewind (no false gap flush)', async () => {
    // Polls every 100 ms (maxStalenessMs / 4, floored at 100) while bursts of events are applied.
    const a = await app({ maxStalenessMs: 400 });
    const logsFrom = logLines.length;
    for (let burst = 0; burst < 4; burst += 1) {
      const acks = [];
      for (let i = 0; i < 500; i += 1) acks.push(authority.publish('group.created', [`g:group:b${i}`]));
      const last = Math.max(...(await Promise.all(acks)).map((ack) => ack.seq));
      await waitFor(() => a.authz.stats().appliedSequence >= last, { timeoutMs: 20_000, description: `burst ${burst}` });
    }
    expect(a.subscriber!.status().gapFlushes).toBe(0);
    expect(logLines.slice(logsFrom).filter((l) => l.includes('cache flushed: gap'))).toEqual([]);
  });
});
