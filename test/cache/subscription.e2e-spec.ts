import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CONTROL_SUBJECTS, ControlMessage, createEvent, IAM_EVENTS_STREAM, eventStreamConfig, ReplayResult } from '@iam/contracts';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { operatorHeaders } from '../support/operator-credential';
import { waitFor } from '../support/wait';
import { CacheApp, logLines, startCacheApp, testOptions } from './support/cache-app';
import { StandInAuthority } from '../support/stand-in-authority';

jest.setTimeout(60_000);

const ADA = 'user:ada@example.com';
const BOB = 'user:bob@example.com';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : NaN;
}

describe('InvalidationSubscriber (real nats-server, two Nest apps in one process)', () => {
  let nats: NatsTestServer;
  let authority: StandInAuthority;
  const apps: CacheApp[] = [];
  let operator: NatsConnection;

  async function app(overrides: Parameters<typeof testOptions>[1] = {}): Promise<CacheApp> {
    const started = await startCacheApp(testOptions(nats.url, overrides));
    apps.push(started);
    return started;
  }
  async function live(a: CacheApp): Promise<CacheApp> {
    await waitFor(() => a.authz.live, { description: 'the subscription to be live' });
    return a;
  }
  async function applied(a: CacheApp, seq: number): Promise<void> {
    await waitFor(() => a.authz.stats().appliedSequence >= seq, { description: `seq ${seq} to be applied` });
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    operator = await connect(nats.connectOptions());
  });
  beforeEach(async () => {
    // Every test gets a fresh stream and a fresh authority.
    const jsm = await jetstreamManager(operator);
    await jsm.streams.delete(IAM_EVENTS_STREAM).catch(() => undefined);
    authority = await StandInAuthority.start(nats.connectOptions());
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await authority?.close();
  });
  afterAll(async () => {
    await operator?.close();
    await nats?.dispose();
  });

  it('broadcasts: two instances of one service each receive and apply every event (semantics 5)', async () => {
    const [a, b] = [await live(await app()), await live(await app())];
    authority.allow(ADA, 'routers.read', 'projects:1:routers:1');
    for (const instance of [a, b]) expect((await instance.authz.check(ADA, 'routers.read', 'projects:1:routers:1')).allowed).toBe(true);
    authority.deny(ADA, 'routers.read', 'projects:1:routers:1');
    let last = 0;
    for (let i = 0; i < 10; i += 1) last = (await authority.publish('policy.updated', [`p:${ADA}`])).seq;
    await Promise.all([applied(a, last), applied(b, last)]);
    for (const instance of [a, b]) {
      expect(instance.authz.stats()).toMatchObject({ appliedSequence: last, lag: 0 });
      expect(instance.subscriber?.status().eventsApplied).toBe(10);
      expect((await instance.authz.check(ADA, 'routers.read', 'projects:1:routers:1')).allowed).toBe(false);
    }
    expect(a.authz.instanceId).not.toBe(b.authz.instanceId);
  });

  it('bypasses the cache until live, then misses no event published during start-up (semantics 6)', async () => {
    await jetstreamManager(operator).then((jsm) => jsm.streams.delete(IAM_EVENTS_STREAM));
    const a = await app();
    // No stream yet: never live, so every read goes to the authority.
    authority.allow(ADA, 'routers.read', 'projects:1');
    const before = authority.calls.check;
    for (let i = 0; i < 3; i += 1) expect((await a.authz.check(ADA, 'routers.read', 'projects:1')).allowed).toBe(true);
    expect(authority.calls.check - before).toBe(3);
    expect(a.authz.live).toBe(false);
    expect(await a.get('/health')).toMatchObject({ status: 503, body: { status: 'unavailable', live: false } });

    // Events keep coming while a second instance starts; none may be missed.
    await authority.provision();
    await live(a);
    let publishing = true;
    const publisher = (async () => {
      let last = 0;
      while (publishing) last = (await authority.publish('policy.updated', [`p:${BOB}`])).seq;
      return last;
    })();
    const b = await live(await app());
    await new Promise((resolve) => setTimeout(resolve, 100));
    publishing = false;
    const last = await publisher;
    await Promise.all([applied(a, last), applied(b, last)]);
    expect(a.subscriber?.status()).toMatchObject({ appliedSequence: last, gapFlushes: 0, eventsApplied: last });
    expect(b.subscriber?.status()).toMatchObject({ appliedSequence: last, gapFlushes: 0 });
    // b started at the stream's end at that moment and applied everything after it, in order.
    const bStatus = b.subscriber!.status();
    expect(bStatus.startedFrom).toBe('stream-end');
    expect(bStatus.eventsApplied).toBeGreaterThan(0);
  });

  it('flushes on a gap: events purged before they were applied (semantics 7)', async () => {
    const a = await live(await app());
    authority.allow(ADA, 'routers.read', 'projects:1');
    await a.authz.check(ADA, 'routers.read', 'projects:1');
    expect(a.authz.stats().cache?.decisionEntries).toBe(1);

    // Caught up when the stream is purged: nothing was lost, nothing to flush.
    const { seq } = await authority.publish('group.created', ['g:group:eng']);
    await applied(a, seq);
    await jetstreamManager(operator).then((jsm) => jsm.streams.purge(IAM_EVENTS_STREAM));
    const next = await authority.publish('group.created', ['g:group:ops']);
    await applied(a, next.seq);
    expect(a.subscriber?.status().gapFlushes).toBe(0);
    expect(a.authz.stats().cache?.decisionEntries).toBe(1);

    // Behind when the stream is purged (subscription stopped, as after a long outage): flush.
    await a.subscriber!.stop();
    expect(a.authz.degraded).toBe(true);
    await authority.publish('policy.updated', ['p:user:someone@example.com']);
    await authority.publish('policy.updated', ['p:user:someone@example.com']);
    await jetstreamManager(operator).then((jsm) => jsm.streams.purge(IAM_EVENTS_STREAM));
    const after = await authority.publish('group.created', ['g:group:after']);
    a.subscriber!.start();
    await applied(a, after.seq);
    expect(a.subscriber?.status().gapFlushes).toBe(1);
    expect(a.authz.stats().cache?.decisionEntries).toBe(0);
    expect(logLines.some((line) => line.includes('cache flushed: gap'))).toBe(true);
    expect(metric((await a.get('/metrics')).text, 'authz_cache_gap_flushes_total')).toBe(1);
    await waitFor(() => !a.authz.degraded, { description: 'degraded mode to clear' });
  });

  it('flushes when the stream is deleted and recreated, and follows the new stream (semantics 7)', async () => {
    const a = await live(await app());
    authority.allow(ADA, 'routers.read', 'projects:1');
    await authority.publish('group.created', ['g:group:eng']);
    await authority.publish('group.created', ['g:group:ops']);
    await applied(a, 2);
    await a.authz.check(ADA, 'routers.read', 'projects:1');
    expect(a.authz.stats().cache?.decisionEntries).toBe(1);

    const jsm = await jetstreamManager(operator);
    await jsm.streams.delete(IAM_EVENTS_STREAM);
    await jsm.streams.add(eventStreamConfig());
    await waitFor(() => a.subscriber!.status().gapFlushes === 1, { description: 'the recreation to be noticed' });
    expect(a.authz.stats().cache?.decisionEntries).toBe(0);
    expect(logLines.some((line) => line.includes('cache flushed: gap') && line.includes('recreated'))).toBe(true);

    // The new stream's events (seq 1, 2, ...) are applied.
    await a.authz.check(ADA, 'routers.read', 'projects:1');
    expect(a.authz.stats().cache?.decisionEntries).toBe(1);
    const { seq } = await authority.publish('policy.deleted', [`p:${ADA}`], { policyId: 'pol_1' });
    expect(seq).toBe(1);
    await waitFor(() => a.authz.stats().cache?.decisionEntries === 0, { description: 'the new stream event to bust the entry' });
    await waitFor(() => a.authz.live && !a.authz.degraded);
    expect(a.subscriber?.status().appliedSequence).toBe(1);
  });

  it('keeps consuming after malformed, unknown-type and higher-version events (semantics 13)', async () => {
    const a = await live(await app());
    authority.allow(ADA, 'routers.read', 'projects:1');
    authority.allow(BOB, 'routers.read', 'projects:2');
    const warm = async () => {
      await a.authz.check(ADA, 'routers.read', 'projects:1');
      await a.authz.check(BOB, 'routers.read', 'projects:2');
      expect(a.authz.stats().cache?.decisionEntries).toBe(2);
    };
    await warm();

    await authority.publishRaw('iam.v1.events.policy.updated', '{not json');
    await authority.publishRaw('iam.v1.events.policy.updated', JSON.stringify({ hello: 'world' }));
    const malformedSeq = await authority.publishRaw('iam.v1.events.policy.updated', new Uint8Array([0xff, 0xfe, 0x00]));
    await applied(a, malformedSeq);
    expect(a.subscriber?.status().malformedEvents).toBe(3);
    expect(a.authz.stats().cache?.decisionEntries).toBe(2);
    expect(metric((await a.get('/metrics')).text, 'authz_cache_malformed_events_total')).toBe(3);

    // Unknown type, with tags: what it could touch is busted (at least the tagged principal), never ignored.
    authority.revision += 1;
    const unknown = { ...createEvent({ type: 'policy.deleted', revision: authority.revision, actor: 'user:x@example.com', tags: [`p:${ADA}`], payload: { policyId: 'p' } }), type: 'widget.exploded' };
    const unknownSeq = await authority.publishRaw('iam.v1.events.widget.exploded', JSON.stringify(unknown));
    await applied(a, unknownSeq);
    await waitFor(() => (a.authz.stats().cache?.decisionEntries ?? 0) < 2);
    expect((await a.get('/metrics')).text).toMatch(/authz_cache_invalidations_total\{event_type="unreadable"/);

    // Higher version without tags: a full flush.
    await warm();
    authority.revision += 1;
    const future = { ...createEvent({ type: 'cache.flush', revision: authority.revision, actor: 'user:x@example.com', tags: [], payload: { scope: 'all' } }), version: 2 };
    const futureSeq = await authority.publishRaw('iam.v1.events.cache.flush', JSON.stringify(future));
    await applied(a, futureSeq);
    expect(a.authz.stats().cache?.decisionEntries).toBe(0);

    // Still consuming.
    await warm();
    const { seq } = await authority.publish('policy.updated', [`p:${BOB}`]);
    await applied(a, seq);
    expect(a.authz.stats().cache?.decisionEntries).toBe(1);
    expect(a.authz.live).toBe(true);
  });

  it('answers control requests from every instance of the named service, with progress and one result (semantics 10)', async () => {
    const [a, b] = [await live(await app()), await live(await app())];
    const merlin = await live(await app({ serviceName: 'merlin' }));
    let last = 0;
    for (let i = 0; i < 5; i += 1) last = (await authority.publish('policy.updated', [`p:${ADA}`])).seq;
    await Promise.all([a, b, merlin].map((x) => applied(x, last)));

    const gather = async (subject: string, request: object) => {
      const messages: ControlMessage[] = [];
      const body = encoder.encode(JSON.stringify(request));
      for await (const msg of await operator.requestMany(subject, body, { maxWait: 1500, headers: operatorHeaders(subject, body) })) {
        messages.push(JSON.parse(decoder.decode(msg.data)) as ControlMessage);
      }
      return messages;
    };
    const replies = await gather(CONTROL_SUBJECTS.replay, { service: 'turing', fromSequence: 1 });
    const results = replies.filter((m) => m.kind === 'result');
    expect(results.map((r) => r.instanceId).sort()).toEqual([a.authz.instanceId, b.authz.instanceId].sort());
    for (const result of results) {
      expect(result).toMatchObject({ kind: 'result', service: 'turing', ok: true });
      expect(result.kind === 'result' && (result.result as ReplayResult)).toMatchObject({ fromSequence: 1, toSequence: last, applied: last });
    }
    // Progress (if any) comes before the result of the same instance.
    for (const id of [a.authz.instanceId, b.authz.instanceId]) {
      const own = replies.filter((m) => m.instanceId === id);
      expect(own[own.length - 1].kind).toBe('result');
    }

    const stats = await gather(CONTROL_SUBJECTS.stats, { service: '*' });
    expect(stats.filter((m) => m.kind === 'result').map((m) => m.service).sort()).toEqual(['merlin', 'turing', 'turing']);

    const invalid = await gather(CONTROL_SUBJECTS.replay, { service: 'merlin' });
    expect(invalid).toEqual([expect.objectContaining({ kind: 'result', ok: false, service: 'merlin', error: expect.objectContaining({ code: 'INVALID_REQUEST' }) })]);

    const since = await gather(CONTROL_SUBJECTS.replay, { service: 'merlin', since: new Date(Date.now() - 60_000).toISOString() });
    expect(since.filter((m) => m.kind === 'result')).toEqual([
      expect.objectContaining({ ok: true, result: expect.objectContaining({ fromSequence: 1, toSequence: last, applied: last }) }),
    ]);
  });

  it('is a true pass-through with enabled:false: no cache, every check asks the authority', async () => {
    const a = await app({ enabled: false });
    expect(a.subscriber).toBeNull();
    authority.allow(ADA, 'routers.read', 'projects:1');
    const { token } = authority.mintToken(ADA);
    const before = { ...authority.calls };
    for (let i = 0; i < 5; i += 1) expect((await a.get('/projects/1/routers/1', token)).status).toBe(403);
    expect(authority.calls.check - before.check).toBe(5);
    expect(authority.calls.identity - before.identity).toBe(5);
    expect(a.authz.stats()).toMatchObject({ enabled: false, cache: null, subscription: null, live: false });
    expect(await a.get('/health')).toMatchObject({ status: 200, body: { status: 'ok', enabled: false } });
  });
});
