import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { CacheApp, startCacheApp, testOptions } from './support/cache-app';
import { TEST_CACHE_ADMIN_TOKEN } from '../support/credentials';
import { StandInAuthority } from '../support/stand-in-authority';

jest.setTimeout(60_000);

const ADA = 'user:ada@example.com';
const ROUTE = '/projects/42/routers/7';
const RESOURCE = 'projects:42:routers:7';

describe('AuthzCacheModule: guard, cache, endpoints (stand-in authority over real NATS)', () => {
  let nats: NatsTestServer;
  let authority: StandInAuthority;
  let app: CacheApp;

  beforeAll(async () => {
    nats = await startNatsServer();
    authority = await StandInAuthority.start(nats.connectOptions());
    app = await startCacheApp(testOptions(nats.url));
    await waitFor(() => app.authz.live, { description: 'the subscription to be live' });
  });
  afterAll(async () => {
    await app?.close();
    await authority?.close();
    await nats?.dispose();
  });

  it('answers 401 without a token, and for an unknown or malformed token', async () => {
    expect(await app.get(ROUTE)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await app.get(ROUTE, 'not-a-token')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    const unknown = authority.mintToken(ADA);
    authority.revokeToken(unknown.token);
    const response = await app.get(ROUTE, unknown.token);
    expect(response).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(response.text).not.toContain(unknown.token);
  });

  it('answers 403 on deny and 200 with the identity on allow, caching both answers', async () => {
    const { token } = authority.mintToken(ADA);
    expect(await app.get(ROUTE, token)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    authority.allow(ADA, 'routers.read', RESOURCE);
    // The denial is cached (negative entry) until an event busts it.
    expect((await app.get(ROUTE, token)).status).toBe(403);
    await authority.publish('policy.created', [`p:${ADA}`]);
    await waitFor(async () => (await app.get(ROUTE, token)).status === 200, { description: 'the allow to show' });
    expect((await app.get(ROUTE, token)).body).toEqual({ id: '7', principal: ADA });

    const before = { ...authority.calls };
    for (let i = 0; i < 20; i += 1) expect((await app.get(ROUTE, token)).status).toBe(200);
    expect(authority.calls).toEqual(before);
  });

  it('busts a cached allow within moments of the event, without waiting for a TTL', async () => {
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', 'projects:42:routers:8');
    expect((await app.get('/projects/42/routers/8', token)).status).toBe(200);
    authority.deny(ADA, 'routers.read', 'projects:42:routers:8');
    expect((await app.get('/projects/42/routers/8', token)).status).toBe(200); // cached
    const { revision } = await authority.publish('resource.deleted', ['r:projects:42'], { resource: 'projects:42' });
    await waitFor(() => app.authz.stats().appliedRevision >= revision, { description: 'the event to be applied' });
    expect((await app.get('/projects/42/routers/8', token)).status).toBe(403);
  });

  it('revokes a cached token through its tok: tag', async () => {
    const minted = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', RESOURCE);
    expect((await app.get(ROUTE, minted.token)).status).toBe(200);
    authority.revokeToken(minted.token);
    const { revision } = await authority.publish('token.revoked', [`tok:${minted.tokenId}`], { tokenId: minted.tokenId, principalId: ADA });
    await waitFor(() => app.authz.stats().appliedRevision >= revision);
    expect(await app.get(ROUTE, minted.token)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses route parameters that would change the checked resource', async () => {
    const { token } = authority.mintToken(ADA);
    const response = await app.get('/projects/42:routers/routers/7', token);
    expect(response).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
  });

  it('serves /health and /metrics', async () => {
    expect(await app.get('/health')).toMatchObject({ status: 200, body: { status: 'ok', live: true, degraded: false, service: 'turing' } });
    const metrics = await app.get('/metrics');
    expect(metrics.status).toBe(200);
    for (const name of [
      'authz_cache_hits_total',
      'authz_cache_misses_total',
      'authz_cache_stale_hits_total',
      'authz_cache_refreshes_total',
      'authz_cache_coalesced_loads_total',
      'authz_cache_invalidations_total',
      'authz_cache_entries',
      'authz_cache_applied_sequence',
      'authz_cache_lag',
      'authz_cache_propagation_delay_seconds_bucket',
      'authz_cache_degraded',
      'authz_cache_malformed_events_total',
      'authz_cache_gap_flushes_total',
    ]) {
      expect(metrics.text).toContain(name);
    }
    expect(metrics.text).toMatch(/authz_cache_invalidations_total\{event_type="policy.created",service="turing"\} 1/);
    expect(metrics.text).toMatch(/authz_cache_hits_total\{[^}]*\} [1-9]/);
  });

  it('guards the admin endpoints with the admin token', async () => {
    expect(await app.get('/admin/cache/stats')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await app.get('/admin/cache/stats', 'wrong')).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    const stats = await app.get('/admin/cache/stats', TEST_CACHE_ADMIN_TOKEN);
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ service: 'turing', enabled: true, live: true, degraded: false, lag: 0 });
    expect(stats.body.appliedSequence).toBeGreaterThan(0);
    expect(stats.body.cache.decisionEntries).toBeGreaterThan(0);
    expect((await app.post('/admin/cache/flush', {}, 'wrong')).status).toBe(403);
  });

  it('flushes, rebuilds and replays through the admin endpoints', async () => {
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', RESOURCE);
    expect((await app.get(ROUTE, token)).status).toBe(200);

    const flushed = await app.post('/admin/cache/flush', {}, TEST_CACHE_ADMIN_TOKEN);
    expect(flushed.status).toBe(200);
    expect(flushed.body.flushed).toBeGreaterThan(0);
    expect(app.authz.stats().cache?.decisionEntries).toBe(0);

    expect((await app.get(ROUTE, token)).status).toBe(200);
    const rebuilt = await app.post('/admin/cache/rebuild', { topN: 10, concurrency: 2 }, TEST_CACHE_ADMIN_TOKEN);
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toMatchObject({ failed: 0 });
    expect(rebuilt.body.warmed).toBeGreaterThan(0);
    expect(rebuilt.body.maxInFlight).toBeLessThanOrEqual(2);

    const replayed = await app.post('/admin/cache/replay', { fromSequence: 1 }, TEST_CACHE_ADMIN_TOKEN);
    expect(replayed.status).toBe(200);
    const last = (await authority.streamInfo()).state.last_seq;
    expect(replayed.body).toMatchObject({ fromSequence: 1, toSequence: last, applied: last, malformed: 0 });

    expect(await app.post('/admin/cache/replay', { fromSequence: 0 }, TEST_CACHE_ADMIN_TOKEN)).toMatchObject({
      status: 400,
      body: { code: 'INVALID_REQUEST', field: 'fromSequence' },
    });
    expect((await app.post('/admin/cache/replay', {}, TEST_CACHE_ADMIN_TOKEN)).status).toBe(400);
  });

  it('answers 503 when neither the cache nor the authority can answer (fail closed)', async () => {
    const { token } = authority.mintToken(ADA);
    await authority.goDown();
    try {
      const response = await app.get('/projects/42/routers/999', token);
      expect(response).toMatchObject({ status: 503, body: { code: 'AUTHZ_UNAVAILABLE' } });
    } finally {
      await authority.comeBack();
    }
  });

  it('honours x-iam-revision: asks the authority when the stream is behind, never answers older', async () => {
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', RESOURCE);
    expect((await app.get(ROUTE, token)).status).toBe(200);
    // A change the cache has not heard of yet (no event published): the token makes the module ask.
    authority.deny(ADA, 'routers.read', RESOURCE);
    authority.revision += 1;
    const response = await app.get(ROUTE, token, { 'x-iam-revision': String(authority.revision) });
    expect(response.status).toBe(403);
    expect((await app.get(ROUTE, token, { 'x-iam-revision': 'abc' })).status).toBe(400);
  });
});
